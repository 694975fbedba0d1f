import { importOperation } from './import.shared';

export const { mode, description, execute } = importOperation('groups');

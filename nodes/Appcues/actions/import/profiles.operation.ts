import { importOperation } from './importOperation';

export const { mode, description, execute } = importOperation('profiles');

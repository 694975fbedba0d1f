import { membershipOperation } from './membership';

export const { mode, description, execute } = membershipOperation('addUsers');

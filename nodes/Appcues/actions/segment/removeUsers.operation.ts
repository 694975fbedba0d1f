import { membershipOperation } from './membership.shared';

export const { mode, description, execute } = membershipOperation('removeUsers');

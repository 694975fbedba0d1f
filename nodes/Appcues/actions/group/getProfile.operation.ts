import { getProfileOperation } from '../getProfile.shared';

export const { description, prepare, execute } = getProfileOperation('group');

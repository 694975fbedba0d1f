import { getManyOperation } from '../getMany.shared';

export const { description, prepare, execute } = getManyOperation('tag', '/tags', 'tags');

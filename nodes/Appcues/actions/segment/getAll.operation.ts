import { getManyOperation } from '../getMany.shared';

export const { description, prepare, execute } = getManyOperation(
	'segment',
	'/segments',
	'segments',
);

import type { IExecuteFunctions } from 'n8n-workflow';

import { EXPERIENCE_TYPE_VALUES } from './types';
import { itemError } from '../../helpers/errors';

/** The type is part of the path, so only the known route names are accepted. */
export function experienceType(this: IExecuteFunctions, itemIndex: number): string {
	const type = String(this.getNodeParameter('experienceType', itemIndex, 'flows'));
	if (!EXPERIENCE_TYPE_VALUES.includes(type)) {
		throw itemError(this.getNode(), `Experience Type "${type}" is not known`, {
			description: `Use one of: ${EXPERIENCE_TYPE_VALUES.join(', ')}.`,
			itemIndex,
		});
	}
	return type;
}

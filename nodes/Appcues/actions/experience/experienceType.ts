import type { IExecuteFunctions, INodePropertyOptions } from 'n8n-workflow';

import { itemError } from '../../helpers/errors';

/** Each experience type is its own route in the v2 API: /v2/accounts/{id}/{type}. */
export const EXPERIENCE_TYPES: INodePropertyOptions[] = [
	{ name: 'Banner', value: 'banners' },
	{ name: 'Checklist', value: 'checklists' },
	{ name: 'Embed', value: 'embeds' },
	{ name: 'Flow (Classic)', value: 'flows' },
	{ name: 'Flow (Flows 2.0)', value: 'flows-v2' },
	{ name: 'Launchpad', value: 'launchpads' },
	{ name: 'Mobile Experience', value: 'mobile' },
	{ name: 'NPS Survey', value: 'nps' },
	{ name: 'Pin', value: 'pins' },
];

export const EXPERIENCE_TYPE_VALUES = EXPERIENCE_TYPES.map((option) => String(option.value));

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

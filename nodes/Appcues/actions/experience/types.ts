import type { INodePropertyOptions } from 'n8n-workflow';

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

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readBoolean, readNumber } from './input';

const STUDIO_URL = 'https?://studio(?:\\.eu)?\\.appcues\\.com';

interface LocatorSpec {
	name: string;
	label: string;
	searchListMethod: string;
	/** Path part of a Studio URL before the id, as a regex; no URL mode when absent. */
	studioPath?: string;
	urlExample?: string;
	placeholderId: string;
}

function locator(spec: LocatorSpec): INodeProperties {
	const idMode = {
		displayName: 'By ID',
		name: 'id',
		type: 'string' as const,
		placeholder: `e.g. ${spec.placeholderId}`,
	};
	const urlMode = spec.studioPath
		? [
				{
					displayName: 'By URL',
					name: 'url',
					type: 'string' as const,
					placeholder: `e.g. ${spec.urlExample}`,
					// Anchored: n8n runs it as it is, also on a URL from an expression, which the editor's
					// validation below never sees (…?next=https://studio.appcues.com/… is not a Studio URL).
					extractValue: {
						type: 'regex' as const,
						regex: `^\\s*${STUDIO_URL}/(?:${spec.studioPath})/([^/?#]+)`,
					},
					validation: [
						{
							type: 'regex' as const,
							properties: {
								regex: `${STUDIO_URL}/(?:${spec.studioPath})/([^/?#]+).*`,
								errorMessage: `Not an Appcues Studio ${spec.label.toLowerCase()} URL`,
							},
						},
					],
				},
			]
		: [];
	return {
		displayName: spec.label,
		name: spec.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: `The ${spec.label.toLowerCase()} to use`,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: spec.searchListMethod, searchable: true },
			},
			idMode,
			...urlMode,
		],
	};
}

export const segmentLocator = locator({
	name: 'segmentId',
	label: 'Segment',
	searchListMethod: 'searchSegments',
	studioPath: 'segments',
	urlExample: 'https://studio.appcues.com/segments/-Mv-owpQUFrI5RFTdh5_',
	placeholderId: '-Mv-owpQUFrI5RFTdh5_',
});

export const experienceLocator = locator({
	name: 'experienceId',
	label: 'Experience',
	searchListMethod: 'searchExperiences',
	studioPath: 'flows|checklists|pins|mobile|launchpads|banners|embeds|nps|experiences',
	urlExample: 'https://studio.appcues.com/flows/00000000-aaaa-bbbb-cccc-000000000000',
	placeholderId: '00000000-aaaa-bbbb-cccc-000000000000',
});

export const tagLocator = locator({
	name: 'tagId',
	label: 'Tag',
	searchListMethod: 'searchTags',
	placeholderId: 't1',
});

export function userIdField(
	description = 'The ID your app uses for the end user in Appcues',
): INodeProperties {
	return {
		displayName: 'User ID',
		name: 'userId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. user-123',
		description,
	};
}

export function groupIdField(
	description = 'The ID of the group (account or company) in Appcues',
): INodeProperties {
	return {
		displayName: 'Group ID',
		name: 'groupId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. acme-inc',
		description,
	};
}

/** Max number of results: a whole number of at least 1. */
export const limitField: INodeProperties = {
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	typeOptions: { minValue: 1, numberPrecision: 0 },
	default: 50,
	description: 'Max number of results to return',
};

/** The Limit of one item, checked (see checkedNumber). */
export function readLimitNumber(this: IExecuteFunctions, itemIndex: number): number {
	return readNumber.call(this, limitField, itemIndex, { whole: true });
}

export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{ ...limitField, displayOptions: { show: { returnAll: [false] } } },
];

/** Return All / Limit of one item: the limit, or undefined for all. */
export function readLimit(this: IExecuteFunctions, itemIndex: number): number | undefined {
	if (readBoolean.call(this, 'returnAll', 'Return All', itemIndex, false)) return undefined;
	return readLimitNumber.call(this, itemIndex);
}

/** Appcues lists are not paginated, so Return All / Limit is applied to the full answer. */
export function applyLimit(list: IDataObject[], limit: number | undefined): IDataObject[] {
	return limit === undefined ? list : list.slice(0, Math.max(0, limit));
}

export const EXPORT_FORMATS = ['csv', 'json'] as const;

/** Fields every Appcues export takes: the file format and where Appcues emails it. */
export const exportFormatField: INodeProperties = {
	displayName: 'Format',
	name: 'format',
	type: 'options',
	options: [
		{ name: 'CSV', value: 'csv' },
		{ name: 'JSON', value: 'json' },
	],
	default: 'csv',
};

export const exportEmailField: INodeProperties = {
	displayName: 'Email',
	name: 'email',
	type: 'string',
	placeholder: 'name@email.com',
	default: '',
	description: 'Where Appcues emails the link to the export',
};

/** What a field of a batch operation says when it is read once, with the first input item. */
export const SET_ONCE =
	'Set once for all input items: an expression here is read with the first item.';

/** The field, its description ending with SET_ONCE. */
export function setOnce(field: INodeProperties): INodeProperties {
	const description = field.description?.replace(/\.$/, '');
	return { ...field, description: description ? `${description}. ${SET_ONCE}` : SET_ONCE };
}

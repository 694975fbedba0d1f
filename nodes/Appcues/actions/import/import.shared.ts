import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { SET_ONCE, setOnce } from '../../helpers/descriptions';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { readWaitSettings, waitFields } from '../../helpers/jobs';
import { runsAsTool } from '../../helpers/toolOutput';
import type { AppcuesClient } from '../../transport/client';
import { readMaxRequestBytes } from '../options';
import type { BatchOperation } from '../types';
import { importFromFiles, type FileSettings } from './fromFile';
import { readChoice } from '../../helpers/input';
import { importFromItems } from './fromItems';
import { ID_COLUMN, type ImportKind, readRowSettings } from './rows';

const WHAT: Record<ImportKind, { fields: string }> = {
	profiles: { fields: 'Properties' },
	groups: { fields: 'Properties' },
	events: { fields: 'Attributes' },
};

function itemFields(kind: ImportKind): INodeProperties[] {
	const { fields } = WHAT[kind];
	const forItems = { show: { source: ['items'] } };
	const eventFields: INodeProperties[] =
		kind === 'events'
			? [
					{
						displayName: 'Event Name Field',
						name: 'eventNameField',
						type: 'string',
						default: 'name',
						description: 'Field of each input item that holds the event name',
						displayOptions: forItems,
					},
					{
						displayName: 'Timestamp Field',
						name: 'timestampField',
						type: 'string',
						default: 'timestamp',
						description:
							'Field of each input item that holds when the event happened: ' +
							'ISO 8601 with a zone (2026-01-31T12:00:00Z), a date alone (midnight UTC), ' +
							'or Unix seconds or milliseconds. A date and time without a zone, ' +
							'or a date that does not exist (2026-02-30), is refused.',
						displayOptions: forItems,
					},
				]
			: [];
	const idField: INodeProperties =
		kind === 'groups'
			? {
					displayName: 'Group ID Field',
					name: 'idField',
					type: 'string',
					default: 'group_id',
					description: 'Field of each input item that holds the group ID',
					displayOptions: forItems,
				}
			: {
					displayName: 'User ID Field',
					name: 'idField',
					type: 'string',
					default: 'user_id',
					description: 'Field of each input item that holds the user ID',
					displayOptions: forItems,
				};
	const settings: INodeProperties[] = [
		idField,
		...eventFields,
		{
			displayName: `${fields} to Send`,
			name: 'propertiesToSend',
			type: 'options',
			options: [
				{
					name: 'All Other Fields',
					value: 'allOther',
					description: 'Every field of the item except the ones used above',
				},
				{ name: 'Selected Fields', value: 'selected' },
				...(kind === 'events' ? [{ name: 'None', value: 'none' }] : []),
			],
			default: 'allOther',
			displayOptions: forItems,
		},
		{
			displayName: `${fields} Fields`,
			name: 'propertyFields',
			type: 'string',
			default: '',
			placeholder: 'e.g. plan, seats, role',
			description: 'Names of the fields to send, separated by commas',
			displayOptions: { show: { source: ['items'], propertiesToSend: ['selected'] } },
		},
	];
	return settings.map(setOnce);
}

const fileFields: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property that holds the CSV or NDJSON file',
		displayOptions: { show: { source: ['binary'] } },
	},
	{
		displayName: 'File Format',
		name: 'fileFormat',
		type: 'options',
		options: [
			{ name: 'Detect From File', value: 'auto' },
			{ name: 'CSV', value: 'csv' },
			{ name: 'NDJSON', value: 'ndjson' },
		],
		default: 'auto',
		displayOptions: { show: { source: ['binary'] } },
	},
	{
		displayName: 'Upload As',
		name: 'uploadAs',
		type: 'options',
		options: [
			{ name: 'Multipart Form Data (Up to 200 MB)', value: 'multipart' },
			{ name: 'Raw Body (Up to 20 MB)', value: 'raw' },
		],
		default: 'multipart',
		displayOptions: { show: { source: ['binary'] } },
	},
];

export function importOperation(kind: ImportKind): BatchOperation {
	const route = `/import/${kind}`;
	const description: INodeProperties[] = updateDisplayOptions(
		{ show: { resource: ['import'], operation: [kind] } },
		[
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				options: [
					{
						name: 'Input Items',
						value: 'items',
						description:
							'Each input item becomes one row; all items ' +
							'go into as few jobs as the size limit allows',
					},
					{
						name: 'Binary File',
						value: 'binary',
						description: 'Upload a CSV or NDJSON file, one job per input item',
					},
				],
				default: 'items',
				description: SET_ONCE,
				displayOptions: { hide: { '@tool': [true] } },
			},
			{
				// An agent's tool cannot pass files: as a tool, the rows come from its input. A hidden
				// Source (not an absent one) keeps the fields that depend on it.
				displayName: 'Source',
				name: 'source',
				type: 'hidden',
				default: 'items',
				description: SET_ONCE,
				displayOptions: { show: { '@tool': [true] } },
			},
			...itemFields(kind),
			...fileFields,
			...waitFields.map(setOnce),
		],
	);

	async function execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		items: INodeExecutionData[],
	): Promise<INodeExecutionData[]> {
		const wait = readWaitSettings.call(this, 0);
		const maxBytes = readMaxRequestBytes.call(this);
		const source = runsAsTool(this)
			? 'items'
			: readChoice.call(this, 'source', 'Source', 0, ['items', 'binary'], 'items');
		if (source === 'binary') {
			const required =
				kind === 'events' ? [ID_COLUMN[kind], 'name', 'timestamp'] : [ID_COLUMN[kind]];
			return await importFromFiles.call(
				this,
				client,
				items,
				route,
				(itemIndex) => ({
					binaryPropertyName: String(
						this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
					),
					fileFormat: readChoice.call(
						this,
						'fileFormat',
						'File Format',
						itemIndex,
						['auto', 'csv', 'ndjson'],
						'auto',
					) as FileSettings['fileFormat'],
					uploadAs: readChoice.call(
						this,
						'uploadAs',
						'Upload As',
						itemIndex,
						['multipart', 'raw'],
						'multipart',
					) as FileSettings['uploadAs'],
				}),
				{ requiredColumns: required, maxRawBytes: maxBytes },
				wait,
			);
		}
		return await importFromItems.call(
			this,
			client,
			items,
			route,
			readRowSettings.call(this, kind),
			maxBytes,
			wait,
		);
	}

	return { mode: 'batch', description, execute };
}

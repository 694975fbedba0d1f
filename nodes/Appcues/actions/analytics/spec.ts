import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { jsonObject } from '../../helpers/input';
import { itemError } from '../../helpers/errors';

export const EXAMPLE_QUERY = JSON.stringify(
	{
		metrics: ['users', 'events'],
		dimensions: ['day'],
		conditions: [['name', '==', 'appcues:flow_completed']],
		start_time: '2026-01-01',
		end_time: '2026-01-31',
		timezone: 'UTC',
	},
	null,
	2,
);

export function querySpecField(operation: string): INodeProperties {
	return {
		displayName: 'Query (JSON)',
		name: 'query',
		type: 'json',
		required: true,
		default: EXAMPLE_QUERY,
		description:
			'The Appcues analytics query: metrics and dimensions (aggregate) ' +
			'or columns (raw rows), conditions as [field, operator, value], ' +
			'start_time and end_time (at most 90 days apart), timezone, order_by, limit',
		displayOptions: { show: { resource: ['analytics'], operation: [operation] } },
	};
}

/** Checks what Appcues would refuse, so the user sees it before a request is spent. */
export function readQuerySpec(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const spec = jsonObject.call(
		this,
		this.getNodeParameter('query', itemIndex, '{}'),
		'Query (JSON)',
		itemIndex,
	);
	for (const field of ['start_time', 'end_time']) {
		if (spec[field] === undefined || spec[field] === null || String(spec[field]).trim() === '') {
			throw itemError(this.getNode(), `Query (JSON) has no "${field}"`, {
				description:
					'Appcues needs an explicit start_time and end_time ' +
					'(YYYY-MM-DD or RFC 3339), at most 90 days apart.',
				itemIndex,
			});
		}
	}
	if ('account_id' in spec) {
		throw itemError(this.getNode(), `Query (JSON) must not contain "account_id"`, {
			description: 'The account comes from the credential; remove account_id from the query.',
			itemIndex,
		});
	}
	return spec;
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { entriesOf } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { querySpecField, readQuerySpec } from './spec';

/** Appcues clamps synchronous query results at this many rows. */
export const SYNC_ROW_LIMIT = 1000;

export const description: INodeProperties[] = [querySpecField('query')];

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { spec: readQuerySpec.call(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ spec }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const response = await client.requestFull({
		method: 'POST',
		path: '/analytics/query',
		body: spec,
		itemIndex,
	});
	const rows = entriesOf(response.body, 'rows').map((row): IDataObject =>
		row && typeof row === 'object' && !Array.isArray(row)
			? (row as IDataObject)
			: ({ value: row } as IDataObject),
	);
	const truncated = String(response.headers['x-rows-truncated'] ?? '').toLowerCase() === 'true';
	if (truncated) {
		this.addExecutionHints({
			message:
				`Appcues cut the result of item ${itemIndex} at ` +
				`${SYNC_ROW_LIMIT.toLocaleString('en-US')} rows. Narrow the query, ` +
				'page with limit and offset, or use the Export operation for all rows.',
			location: 'outputPane',
		});
	}
	return rows;
}

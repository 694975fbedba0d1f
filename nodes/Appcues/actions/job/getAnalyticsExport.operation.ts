import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { exportJobIdField } from '../../helpers/analyticsExport';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{
		show: {
			resource: ['job'],
			operation: ['getAnalyticsExport', 'waitAnalyticsExport', 'downloadAnalyticsExport'],
		},
	},
	[exportJobIdField],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { jobId: requiredId.call(this, 'jobId', 'Export Job ID', itemIndex) };
}

/** One poll: the status as Appcues reports it; a done export carries a fresh download_url. */
export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ jobId }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'GET',
		path: path`/analytics/exports/${jobId}`,
		itemIndex,
	});
	return objectOr(body, { job_id: jobId }) as IDataObject;
}

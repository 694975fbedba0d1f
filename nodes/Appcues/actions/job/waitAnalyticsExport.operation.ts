import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	exportTimeoutField,
	readExportTimeoutMs,
	waitForAnalyticsExport,
} from '../../helpers/analyticsExport';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { requiredId } from '../../helpers/input';
import type { AppcuesClient } from '../../transport/client';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['waitAnalyticsExport'] } },
	[exportTimeoutField],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		jobId: requiredId.call(this, 'jobId', 'Export Job ID', itemIndex),
		timeoutMs: readExportTimeoutMs.call(this, itemIndex),
	};
}

/** Polls at once, then after 2 s doubling to 30 s, until the export is done or failed. */
export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ jobId, timeoutMs }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	return await waitForAnalyticsExport.call(this, client, jobId, timeoutMs, itemIndex, {
		pollFirst: true,
	});
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	exportTimeoutField,
	readExportTimeoutMs,
	waitAndDownloadExport,
} from '../../helpers/analyticsExport';
import { downloadFields, readDownloadPlan } from '../../helpers/download';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { requiredId } from '../../helpers/input';
import type { AppcuesClient } from '../../transport/client';
import { withBinary } from '../types';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['downloadAnalyticsExport'] } },
	[exportTimeoutField, ...downloadFields()],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		jobId: requiredId.call(this, 'jobId', 'Export Job ID', itemIndex),
		timeoutMs: readExportTimeoutMs.call(this, itemIndex),
		download: readDownloadPlan.call(this, itemIndex, 'Job > Download Analytics Export'),
	};
}

/**
 * Waits for the export (polling at once), then downloads its file from the download_url of that
 * last poll (asked for again if it grew old while earlier downloads ran). The URL is left out of
 * the output: it is a bearer link to the data for an hour.
 */
export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ jobId, timeoutMs, download }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const { json, binary } = await waitAndDownloadExport.call(
		this,
		client,
		jobId,
		timeoutMs,
		download,
		itemIndex,
		{ pollFirst: true },
	);
	return withBinary(json, { [download.propertyName]: binary });
}

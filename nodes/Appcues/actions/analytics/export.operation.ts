import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { waitAndDownloadExport, waitForAnalyticsExport } from '../../helpers/analyticsExport';
import { downloadFields, readDownloadPlan } from '../../helpers/download';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { itemError } from '../../helpers/errors';
import { readBoolean } from '../../helpers/input';
import { jobIdOf, readTimeoutMs, timeoutField } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { withBinary } from '../types';
import { querySpecField, readQuerySpec } from './spec';

export const description: INodeProperties[] = [
	querySpecField('export'),
	...updateDisplayOptions({ show: { resource: ['analytics'], operation: ['export'] } }, [
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: true,
			description:
				'Whether to wait for the export and output the finished job (and its file), ' +
				'instead of the accepted job. An export that is not waited for is picked up later ' +
				'by its job ID with Job > Wait for Analytics Export or Download Analytics Export.',
		},
		{
			...timeoutField(
				'How long to wait for the export; the error gives the job ID, so that ' +
					'Job > Wait for Analytics Export or Download Analytics Export can pick it up later',
			),
			displayOptions: { show: { waitForCompletion: [true] } },
		},
		{
			displayName: 'Download Result',
			name: 'download',
			type: 'boolean',
			default: true,
			description: 'Whether to download the finished export into a binary property',
			displayOptions: { show: { waitForCompletion: [true] } },
		},
		...downloadFields({ waitForCompletion: [true], download: [true] }),
	]),
];

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const wait = readBoolean.call(this, 'waitForCompletion', 'Wait for Completion', itemIndex, true);
	const download = wait && readBoolean.call(this, 'download', 'Download Result', itemIndex, true);
	return {
		spec: readQuerySpec.call(this, itemIndex),
		timeoutMs: wait ? readTimeoutMs.call(this, itemIndex) : undefined,
		// Read before the export is requested, so a bad limit sends nothing.
		download: download
			? readDownloadPlan.call(this, itemIndex, 'Analytics > Export with Download Result on')
			: undefined,
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ spec, timeoutMs, download }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const accepted = ((await client.request({
		method: 'POST',
		path: '/analytics/exports',
		body: spec,
		itemIndex,
	})) ?? {}) as IDataObject;
	const jobId = jobIdOf(accepted);
	if (!jobId) {
		throw itemError(this.getNode(), `Appcues accepted the export but returned no job ID`, {
			itemIndex,
		});
	}
	if (timeoutMs === undefined) return { ...accepted, job_id: jobId };
	if (!download)
		return await waitForAnalyticsExport.call(this, client, jobId, timeoutMs, itemIndex);
	const { json, binary } = await waitAndDownloadExport.call(
		this,
		client,
		jobId,
		timeoutMs,
		download,
		itemIndex,
	);
	return withBinary(json, { [download.propertyName]: binary });
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { optionalText } from '../../helpers/input';
import { jobIdOf, waitForJob } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { downloadPresigned } from '../../transport/download';
import { path } from '../../transport/paths';
import { withBinary } from '../types';
import { querySpecField, readQuerySpec } from './spec';

export const description: INodeProperties[] = [
	querySpecField('export'),
	...updateDisplayOptions({ show: { resource: ['analytics'], operation: ['export'] } }, [
		{
			displayName: 'Timeout (Minutes)',
			name: 'waitTimeoutMinutes',
			type: 'number',
			typeOptions: { minValue: 0.05, numberPrecision: 2 },
			default: 10,
			description: 'How long to wait for the export; the error gives the job ID so it can be looked up later',
		},
		{
			displayName: 'Download Result',
			name: 'download',
			type: 'boolean',
			default: true,
			description: 'Whether to download the finished export into a binary property',
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			description: 'Name of the binary property to write the downloaded export to',
			displayOptions: { show: { download: [true] } },
		},
	]),
];

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const minutes = this.getNodeParameter('waitTimeoutMinutes', itemIndex, 10) as number;
	const download = Boolean(this.getNodeParameter('download', itemIndex, true));
	return {
		spec: readQuerySpec.call(this, itemIndex),
		timeoutMs: Math.max(0, minutes) * 60_000,
		propertyName: download
			? optionalText.call(this, this.getNodeParameter('binaryPropertyName', itemIndex, 'data'), 'Put Output File in Field', itemIndex) ||
				'data'
			: undefined,
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ spec, timeoutMs, propertyName }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const accepted = ((await client.request({ method: 'POST', path: '/analytics/exports', body: spec, itemIndex })) ??
		{}) as IDataObject;
	const jobId = jobIdOf(accepted);
	if (!jobId) {
		throw new NodeOperationError(this.getNode(), `Appcues accepted the export but returned no job ID [item ${itemIndex}]`, {
			itemIndex,
		});
	}
	const job = await waitForJob.call(
		this,
		client,
		{
			statusPath: path`/analytics/exports/${jobId}`,
			jobId,
			// This route documents its vocabulary: queued, running, done (with download_url), failed.
			outcome: (polled) => (polled.status === 'done' ? 'done' : polled.status === 'failed' ? 'failed' : 'running'),
		},
		{ timeoutMs },
		itemIndex,
	);
	const result = { ...job, job_id: jobId };
	if (propertyName === undefined) return result;
	if (typeof job.download_url !== 'string') {
		throw new NodeOperationError(this.getNode(), `The export ${jobId} finished without a download_url [item ${itemIndex}]`, {
			itemIndex,
		});
	}
	const file = await downloadPresigned.call(this, job.download_url, itemIndex);
	const fileName = `appcues-analytics-${jobId}.${/json/.test(file.contentType ?? '') ? 'json' : 'csv'}`;
	const binary = await this.helpers.prepareBinaryData(file.data, fileName, file.contentType?.split(';')[0] ?? 'text/csv');
	return withBinary(result, { [propertyName]: binary });
}

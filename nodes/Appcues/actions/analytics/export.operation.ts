import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { optionalText, readNumber } from '../../helpers/input';
import { jobIdOf, readTimeoutMs, timeoutField, waitForJob } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { MB } from '../../helpers/files';
import { type DownloadLimits, downloadPresigned } from '../../transport/download';
import { path } from '../../transport/paths';
import { withBinary } from '../types';
import { querySpecField, readQuerySpec } from './spec';
import { itemError } from '../../helpers/errors';

export const description: INodeProperties[] = [
	querySpecField('export'),
	...updateDisplayOptions({ show: { resource: ['analytics'], operation: ['export'] } }, [
		timeoutField(
			'How long to wait for the export; the error gives the job ID so it can be looked up later',
		),
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
		{
			displayName: 'Download Timeout (Seconds)',
			name: 'downloadTimeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 3600 },
			default: 300,
			description:
				'Longest time for the whole download, from the request to the last byte: from 1 to 3600 seconds',
			displayOptions: { show: { download: [true] } },
		},
		{
			displayName: 'Max Download Size (MB)',
			name: 'maxDownloadSizeMb',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 2048 },
			default: 200,
			description:
				'Largest export file accepted, from 1 to 2048 MB. A file is held in memory until n8n stores it, so the node downloads one file at a time: it holds at most one, however many exports run at once.',
			displayOptions: { show: { download: [true] } },
		},
	]),
];

const field = (name: string) => description.find((property) => property.name === name)!;

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const download = Boolean(this.getNodeParameter('download', itemIndex, true));
	return {
		spec: readQuerySpec.call(this, itemIndex),
		timeoutMs: readTimeoutMs.call(this, itemIndex),
		propertyName: download
			? optionalText.call(
					this,
					this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
					'Put Output File in Field',
					itemIndex,
				) || 'data'
			: undefined,
		// Read before the export is requested, so a bad limit sends nothing.
		limits: download ? readDownloadLimits.call(this, itemIndex) : undefined,
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ spec, timeoutMs, propertyName, limits }: ReturnType<typeof prepare>,
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
	const job = await waitForJob.call(
		this,
		client,
		{
			statusPath: path`/analytics/exports/${jobId}`,
			jobId,
			// This route documents its vocabulary: queued, running, done (with download_url), failed.
			outcome: (polled) =>
				polled.status === 'done' ? 'done' : polled.status === 'failed' ? 'failed' : 'running',
		},
		{ timeoutMs },
		itemIndex,
	);
	const result = { ...job, job_id: jobId };
	if (propertyName === undefined || !limits) return result;
	if (typeof job.download_url !== 'string') {
		throw itemError(this.getNode(), `The export ${jobId} finished without a download_url`, {
			itemIndex,
		});
	}
	const binary = await downloadPresigned.call(
		this,
		job.download_url,
		itemIndex,
		limits,
		async (data, contentType) =>
			await this.helpers.prepareBinaryData(
				data,
				`appcues-analytics-${jobId}.${/json/.test(contentType ?? '') ? 'json' : 'csv'}`,
				contentType?.split(';')[0] ?? 'text/csv',
			),
	);
	return withBinary(result, { [propertyName]: binary });
}

/** Limits from the parameters, checked against the ranges their fields show; whole milliseconds and bytes. */
function readDownloadLimits(this: IExecuteFunctions, itemIndex: number): DownloadLimits {
	const seconds = readNumber.call(this, field('downloadTimeoutSeconds'), itemIndex);
	const megabytes = readNumber.call(this, field('maxDownloadSizeMb'), itemIndex);
	return { timeoutMs: Math.round(seconds * 1000), maxBytes: Math.floor(megabytes * MB) };
}

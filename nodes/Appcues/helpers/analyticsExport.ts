import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { AppcuesClient } from '../transport/client';
import { type DownloadLimits, downloadPresigned } from '../transport/download';
import { path } from '../transport/paths';
import { itemError } from './errors';
import { readNumber } from './input';
import { timeoutField, waitForJob } from './jobs';

/** Where a timed-out analytics export can be picked up again. */
export const EXPORT_LOOK_UP =
	'Job > Get Analytics Export, Wait for Analytics Export or Download Analytics Export';

/** The job ID field of the Job operations on analytics exports. */
export const exportJobIdField: INodeProperties = {
	displayName: 'Export Job ID',
	name: 'jobId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 7f3c2a9e-1b4d-4c8e-9f0a-2d6b5e8c1a47',
	description:
		'The job_id of an analytics export: from Analytics > Export ' +
		'(also in its timeout error) or from a POST to analytics/exports',
};

/** How long to poll an export that is still queued or running (Appcues' CLI waits 15 minutes). */
export const exportTimeoutField: INodeProperties = {
	...timeoutField(
		'How long to wait for the export to finish before failing; ' +
			'the export goes on in Appcues and can be waited for again',
	),
	default: 15,
};

/** The Timeout (Minutes) of one item in whole milliseconds, checked against the field's range. */
export function readExportTimeoutMs(this: IExecuteFunctions, itemIndex: number): number {
	return Math.round(readNumber.call(this, exportTimeoutField, itemIndex) * 60_000);
}

/**
 * Polls `analytics/exports/{id}` until the export is done (it then carries a fresh download_url)
 * or failed. Its statuses are documented: queued, running, done, failed.
 */
export async function waitForAnalyticsExport(
	this: IExecuteFunctions,
	client: AppcuesClient,
	jobId: string,
	timeoutMs: number,
	itemIndex: number,
	{ pollFirst = false }: { pollFirst?: boolean } = {},
): Promise<IDataObject> {
	const job = await waitForJob.call(
		this,
		client,
		{
			statusPath: path`/analytics/exports/${jobId}`,
			jobId,
			outcome: (polled) =>
				polled.status === 'done' ? 'done' : polled.status === 'failed' ? 'failed' : 'running',
			pollFirst,
			lookUpWith: EXPORT_LOOK_UP,
		},
		{ timeoutMs },
		itemIndex,
	);
	return { ...job, job_id: jobId };
}

/**
 * A download_url older than this is asked for again before its download starts: downloads go one
 * at a time, and those before it may take longer than the hour a link is valid.
 */
const STALE_LINK_MS = 10 * 60_000;

/** Downloads a finished export's file (no credentials: the URL is presigned) as binary data. */
export async function downloadExportFile(
	this: IExecuteFunctions,
	client: AppcuesClient,
	job: IDataObject,
	jobId: string,
	limits: DownloadLimits,
	itemIndex: number,
	/** When the wait that gave `job` began: its link is at most this old. */
	linkSince: number,
): Promise<{ binary: IBinaryData; bytes: number }> {
	const linkOf = (polled: unknown): string | undefined => {
		const link = polled && typeof polled === 'object' ? (polled as IDataObject).download_url : '';
		return typeof link === 'string' && link ? link : undefined;
	};
	const first = linkOf(job);
	if (!first) {
		throw itemError(this.getNode(), `The export ${jobId} finished without a download_url`, {
			itemIndex,
		});
	}
	// Each poll of a done export mints a fresh link.
	const freshLink = async (): Promise<string> => {
		if (Date.now() - linkSince < STALE_LINK_MS) return first;
		const polled = await client.request({
			method: 'GET',
			path: path`/analytics/exports/${jobId}`,
			itemIndex,
		});
		return linkOf(polled) ?? first;
	};
	let bytes = 0;
	const binary = await downloadPresigned.call(
		this,
		freshLink,
		itemIndex,
		limits,
		async (data, contentType) => {
			bytes = data.length;
			const kind = exportFileKind(data, contentType);
			return await this.helpers.prepareBinaryData(
				data,
				`appcues-analytics-${jobId}.${kind.extension}`,
				kind.mimeType,
			);
		},
	);
	return { binary, bytes };
}

/**
 * Waits for the export, then downloads its file. The output is the job without its download_url (a
 * bearer link to the data for an hour, which an agent's model or a log must not get), with what
 * was stored, and the file in binary data.
 */
export async function waitAndDownloadExport(
	this: IExecuteFunctions,
	client: AppcuesClient,
	jobId: string,
	timeoutMs: number,
	download: { propertyName: string; limits: DownloadLimits },
	itemIndex: number,
	options?: { pollFirst?: boolean },
): Promise<{ json: IDataObject; binary: IBinaryData }> {
	const linkSince = Date.now();
	const job = await waitForAnalyticsExport.call(this, client, jobId, timeoutMs, itemIndex, options);
	const { binary, bytes } = await downloadExportFile.call(
		this,
		client,
		job,
		jobId,
		download.limits,
		itemIndex,
		linkSince,
	);
	const rest = { ...job };
	delete rest.download_url;
	return {
		json: { ...rest, file_name: binary.fileName, mime_type: binary.mimeType, bytes },
		binary,
	};
}

/**
 * What an export file is, read from its content: Appcues documents the file as the JSON rows array
 * a query returns, but storage hosts often label files application/octet-stream, so the first
 * character decides. An empty file goes by its Content-Type, else JSON.
 */
export function exportFileKind(
	data: Buffer,
	contentType?: string,
): { extension: 'json' | 'csv'; mimeType: string } {
	const json = { extension: 'json' as const, mimeType: 'application/json' };
	const csv = { extension: 'csv' as const, mimeType: 'text/csv' };
	const text = data
		.subarray(0, 1024)
		.toString('utf8')
		.replace(/^\uFEFF/, '');
	const first = text.trimStart()[0];
	if (first === undefined) return /csv/i.test(contentType ?? '') ? csv : json;
	return first === '[' || first === '{' ? json : csv;
}

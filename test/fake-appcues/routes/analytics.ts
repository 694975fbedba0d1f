/**
 * The analytics routes (nodes/Appcues/actions/analytics): the sync query and async exports, and
 * the presigned download of a finished export, which the server core serves before any API auth
 * (it stands for S3, not for the Appcues API).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import {
	type AnalyticsEvent,
	type AnalyticsSpec,
	computeRows,
	pageRows,
	SYNC_ROW_CAP,
	validateSpec,
} from '../analytics';
import { parseImportTimestamp, toCsv } from '../bulk';
import { HttpProblem } from '../problem';
import type { RecordedRequest } from '../server';
import { type AccountState, type AnalyticsExportRecord, DEFAULT_ANALYTICS_FAILURE } from '../state';
import { findExperience, screenshotsZip } from './experience';
import { type DispatchResult, now, type RouteModule } from './route';

export const analyticsRoutes: RouteModule = (fake) => {
	/** The analytics export job view (CLI tests/jobs.rs): queued, running, then done or failed. */
	const exportView = (job: AnalyticsExportRecord, accountId: string) => {
		const finished =
			job.outcome !== 'stall' && job.polls >= (job.pollsToFinish ?? fake.jobPollsToFinish);
		if (!finished) return { job_id: job.job_id, status: job.polls === 0 ? 'queued' : 'running' };
		if (job.outcome === 'failed')
			return { job_id: job.job_id, status: 'failed', failure_reason: job.failure_reason };
		// Re-minted on every poll, as the real presigned URLs are.
		return { job_id: job.job_id, status: 'done', ...fake.mintDownloadUrl(accountId, job) };
	};
	/** The account's events as the analytics engine sees them (seeded, tracked, imported). */
	const analyticsEvents = (state: AccountState): AnalyticsEvent[] =>
		[...state.users].flatMap(([userId, record]) =>
			record.events.flatMap((event) => {
				const timestamp =
					parseImportTimestamp(event.timestamp) ??
					(typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : NaN);
				if (!Number.isFinite(timestamp) || typeof event.name !== 'string') return [];
				return [
					{
						timestamp,
						user_id: userId,
						name: event.name,
						...(typeof event.group_id === 'string' ? { group_id: event.group_id } : {}),
						...(event.attributes && typeof event.attributes === 'object'
							? { attributes: event.attributes as Record<string, unknown> }
							: {}),
					},
				];
			}),
		);

	return [
		{
			method: 'POST',
			pattern: ['analytics', 'query'],
			// Sync query (SOURCES.md: Skills): a bare array of rows, clamped at 1,000 with X-Rows-Truncated.
			handle: ({ state, body, setHeader }) => {
				const spec = validateSpec(body, { sync: true });
				const { rows, truncated } = pageRows(
					computeRows(spec, analyticsEvents(state), fake.analyticsRows),
					spec,
					SYNC_ROW_CAP,
				);
				if (truncated) setHeader('X-Rows-Truncated', 'true');
				return rows;
			},
		},
		{
			method: 'POST',
			pattern: ['analytics', 'exports'],
			// Async query: 202 {"job_id", "status": "queued"} (CLI tests/analytics.rs). The rows are
			// computed now and served from the download URL once the job is done; no row cap.
			handle: ({ state, body, status }) => {
				const spec = validateSpec(body, { sync: false });
				const { rows } = pageRows(
					computeRows(spec, analyticsEvents(state), fake.analyticsRows),
					spec,
				);
				const { outcome, reason } = fake.takeJobOutcome();
				const job: AnalyticsExportRecord = {
					job_id: randomUUID(),
					spec,
					rows,
					polls: 0,
					created_at: now(),
					outcome: outcome === 'ok' ? 'done' : outcome === 'fail' ? 'failed' : 'stall',
					...(outcome === 'fail' ? { failure_reason: reason ?? DEFAULT_ANALYTICS_FAILURE } : {}),
				};
				state.analyticsExports.set(job.job_id, job);
				status(202);
				return { job_id: job.job_id, status: 'queued' };
			},
		},
		{
			method: 'GET',
			pattern: ['analytics', 'exports', ':jobId'],
			handle: ({ params, state, account }) => {
				const job = state.analyticsExports.get(params.jobId);
				// Legacy job ids are not visible here (CLI README); the CLI's mock detail.
				if (!job) throw new HttpProblem(404, 'Not Found', 'no such export job');
				const view = exportView(job, account.accountId);
				job.polls++;
				return view;
			},
		},
	];
};

/**
 * Download tokens minted by analytics export polls and screenshot redirects (token -> where it
 * leads, until when).
 */
export type DownloadTokens = Map<
	string,
	{ accountId: string; expiresAt: number; signature: string } & (
		{ jobId: string } | { screenshotsOf: string }
	)
>;

/**
 * The presigned download of a finished analytics export or of a screenshots ZIP, on the fake
 * itself. It behaves as S3
 * does for a presigned GET: an Authorization header as well as the query signature is a 400
 * InvalidArgument, an expired URL a 403, an unknown key a 404; errors are S3's XML bodies.
 */
export function presignedDownload(
	downloads: DownloadTokens,
	states: Map<string, AccountState>,
	{
		method,
		segments,
		req,
		record,
		url,
	}: {
		method: string;
		segments: string[];
		req: IncomingMessage;
		record: RecordedRequest;
		url: URL;
	},
): DispatchResult {
	const xml = (status: number, code: string, message: string): DispatchResult => ({
		status,
		raw: {
			contentType: 'application/xml',
			body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()
				.replace(/-/g, '')
				.slice(0, 16)
				.toUpperCase()}</RequestId></Error>`,
		},
	});
	if (method !== 'GET' && method !== 'HEAD')
		return xml(
			405,
			'MethodNotAllowed',
			'The specified method is not allowed against this resource.',
		);
	const match = segments.length === 2 ? /^([0-9a-f]{32})\.(csv|json|zip)$/.exec(segments[1]) : null;
	const entry = match ? downloads.get(match[1]) : undefined;
	if (entry) record.accountId = entry.accountId;
	if (req.headers.authorization !== undefined) {
		return xml(
			400,
			'InvalidArgument',
			'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
		);
	}
	if (!entry) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
	if (url.searchParams.get('X-Amz-Signature') !== entry.signature) {
		return xml(
			403,
			'SignatureDoesNotMatch',
			'The request signature we calculated does not match the signature you provided.',
		);
	}
	if (Date.now() > entry.expiresAt) return xml(403, 'AccessDenied', 'Request has expired');
	const state = states.get(entry.accountId);
	if ('screenshotsOf' in entry) {
		const experience = state && findExperience(state, entry.screenshotsOf);
		if (!experience) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
		return {
			status: 200,
			raw: { contentType: 'application/zip', body: screenshotsZip(experience) },
		};
	}
	const job = state?.analyticsExports.get(entry.jobId);
	if (!job) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
	return match![2] === 'json'
		? { status: 200, raw: { contentType: 'application/json', body: JSON.stringify(job.rows) } }
		: {
				status: 200,
				raw: {
					contentType: 'text/csv',
					body: toCsv(job.rows, job.rows.length ? undefined : exportColumns(job.spec)),
				},
			};
}

/** The CSV header of an export with no rows. */
function exportColumns(spec: AnalyticsSpec) {
	return spec.columns ?? [...(spec.dimensions ?? []), ...(spec.metrics ?? [])];
}

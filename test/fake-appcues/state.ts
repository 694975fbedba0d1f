/**
 * What the fake keeps per account, and the shapes its state and accounts take. The server core
 * and every route module share these; `server.ts` re-exports them for tests and scripts.
 */
import { randomUUID } from 'node:crypto';

import type { AnalyticsSpec } from './analytics';
import type { BulkFormat, ImportKind } from './bulk';

export interface FakeAccount {
	accountId: string;
	apiKey: string;
	apiSecret: string;
	legacyApiKey?: string;
}

export interface UserRecord {
	properties: Record<string, unknown>;
	events: Array<Record<string, unknown>>;
}

export interface JobRecord {
	id: string;
	name: string;
	polls: number;
	finalStatus: string;
	/** Sent as `detail` once a failed job has finished. */
	failureReason?: string;
	created_at: string;
	/** Extra fields merged into the job's view. */
	detail?: Record<string, unknown>;
	/** Never finishes: "queued" on the first poll, then "running" forever. */
	stall?: boolean;
	/** Overrides the server's jobPollsToFinish for this job. */
	pollsToFinish?: number;
}

export interface ImportRecord {
	kind: ImportKind;
	format: BulkFormat;
	/** How the data came: the raw body, or the `file` part of a multipart upload. */
	via: 'body' | 'multipart';
	fileName?: string;
	/** Row count. */
	rows: number;
	/** Bytes of the data itself (the file part for multipart uploads). */
	bytes: number;
	jobId: string;
	/** False when the job was planned to fail or stall: such a job changes nothing. */
	applied: boolean;
	/** The rows as parsed (empty when recordBodies is off). */
	records: Array<Record<string, unknown>>;
}

export interface ExportRecord {
	kind: 'events' | 'segment_membership';
	segmentId?: string;
	/** The request body as sent. */
	request: Record<string, unknown>;
	jobId: string;
}

export interface AnalyticsExportRecord {
	job_id: string;
	spec: AnalyticsSpec;
	rows: Array<Record<string, unknown>>;
	polls: number;
	created_at: string;
	outcome: 'done' | 'failed' | 'stall';
	failure_reason?: string;
	pollsToFinish?: number;
}

export interface GdprRequestRecord {
	users: string[];
	via: 'json' | 'csv';
	at: string;
}

export interface AccountState {
	users: Map<string, UserRecord>;
	groups: Map<string, { properties: Record<string, unknown>; users: Set<string> }>;
	segments: Map<string, Record<string, unknown> & { user_ids: Set<string> }>;
	experiences: Map<string, Map<string, Record<string, unknown>>>;
	tags: Map<string, Record<string, unknown>>;
	jobs: Map<string, JobRecord>;
	/** Every event submitted through the v1 activity route, in order. */
	activity: Array<Record<string, unknown>>;
	/** Every user id erased through the v1 GDPR route, in order. */
	gdprDeleted: string[];
	gdprRequests: GdprRequestRecord[];
	/** Every accepted bulk import, in order. */
	imports: ImportRecord[];
	/** Every accepted legacy export request (events, segment membership), in order. */
	exports: ExportRecord[];
	analyticsExports: Map<string, AnalyticsExportRecord>;
}

export const EXPERIENCE_TYPES = [
	'flows',
	'flows-v2',
	'checklists',
	'pins',
	'mobile',
	'launchpads',
	'banners',
	'embeds',
	'nps',
];

export const DEFAULT_ACCOUNT: FakeAccount = {
	accountId: '12345',
	apiKey: 'test-key',
	apiSecret: 'test-secret-value-do-not-leak',
	legacyApiKey: 'legacy-key-do-not-leak',
};

export const DEFAULT_JOB_FAILURE =
	'the job could not be completed: the data could not be processed';
/** The failure reason of the CLI's own test mock. */
export const DEFAULT_ANALYTICS_FAILURE = 'query timeout';

export function emptyState(): AccountState {
	return {
		users: new Map(),
		groups: new Map(),
		segments: new Map(),
		experiences: new Map(EXPERIENCE_TYPES.map((type) => [type, new Map()])),
		tags: new Map(),
		jobs: new Map(),
		activity: [],
		gdprDeleted: [],
		gdprRequests: [],
		imports: [],
		exports: [],
		analyticsExports: new Map(),
	};
}

export function serializeState(state: AccountState) {
	const mapToObject = <T>(map: Map<string, T>, convert: (value: T) => unknown = (value) => value) =>
		Object.fromEntries([...map].map(([key, value]) => [key, convert(value)]));
	return {
		users: mapToObject(state.users),
		groups: mapToObject(state.groups, (group) => ({ ...group, users: [...group.users] })),
		segments: mapToObject(state.segments, (segment) => ({
			...segment,
			user_ids: [...segment.user_ids],
		})),
		experiences: mapToObject(state.experiences, (byId) => mapToObject(byId)),
		tags: mapToObject(state.tags),
		jobs: mapToObject(state.jobs),
		activity: state.activity,
		gdprDeleted: state.gdprDeleted,
		gdprRequests: state.gdprRequests,
		imports: state.imports,
		exports: state.exports,
		analyticsExports: mapToObject(state.analyticsExports, ({ rows, ...rest }) => ({
			...rest,
			row_count: rows.length,
		})),
	};
}

export interface CreateJobOptions {
	/** Final status when the job succeeds ("complete" by default). */
	finalStatus?: string;
	/** Make the job fail: its final status is "failed" and `detail` carries this reason. */
	fail?: string;
	/** The job never finishes. */
	stall?: boolean;
	/** Polls it takes to finish, instead of the server's jobPollsToFinish. */
	pollsToFinish?: number;
	/** Extra fields merged into the job's view. */
	detail?: Record<string, unknown>;
}

/**
 * Creates a legacy job and returns the 202 body of the route that started it. The 4th argument
 * is the final status (a string, as before) or CreateJobOptions.
 */
export function createJob(
	state: AccountState,
	baseUrl: string,
	name: string,
	finalStatusOrOptions: string | CreateJobOptions = 'complete',
	detail?: Record<string, unknown>,
) {
	const options: CreateJobOptions =
		typeof finalStatusOrOptions === 'string'
			? { finalStatus: finalStatusOrOptions, detail }
			: { detail, ...finalStatusOrOptions };
	const id = randomUUID();
	state.jobs.set(id, {
		id,
		name,
		polls: 0,
		finalStatus: options.fail !== undefined ? 'failed' : (options.finalStatus ?? 'complete'),
		...(options.fail !== undefined ? { failureReason: options.fail || DEFAULT_JOB_FAILURE } : {}),
		...(options.stall ? { stall: true } : {}),
		...(options.pollsToFinish !== undefined ? { pollsToFinish: options.pollsToFinish } : {}),
		created_at: new Date().toISOString(),
		detail: options.detail,
	});
	return { job_id: id, job_url: `${baseUrl}/jobs/${id}`, status: 202, title: 'Accepted' };
}

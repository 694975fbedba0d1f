import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import type { AppcuesClient } from '../transport/client';
import { path } from '../transport/paths';
import { ensureNodeError, itemError } from './errors';
import { readBoolean, readNumber } from './input';

/**
 * Appcues documents no status vocabulary for its async jobs: sources show words (queued,
 * running, complete, done, failed) and HTTP-like numbers (202 running, 200 done, 400/422
 * failed). The status is kept as Appcues sent it; these sets only decide when to stop polling.
 */
const FAILED_WORDS = new Set([
	'failed',
	'failure',
	'error',
	'errored',
	'cancelled',
	'canceled',
	'aborted',
	'rejected',
]);
const DONE_WORDS = new Set([
	'complete',
	'completed',
	'done',
	'finished',
	'success',
	'succeeded',
	'processed',
	'ok',
]);

export type JobOutcome = 'running' | 'done' | 'failed';

export function jobOutcome(status: unknown): JobOutcome {
	if (typeof status === 'number' || (typeof status === 'string' && /^\d{3}$/.test(status.trim()))) {
		const code = Number(status);
		if (code >= 400) return 'failed';
		if (code >= 200 && code < 300 && code !== 202) return 'done';
		return 'running';
	}
	const word = String(status ?? '')
		.trim()
		.toLowerCase();
	if (FAILED_WORDS.has(word)) return 'failed';
	if (DONE_WORDS.has(word)) return 'done';
	return 'running';
}

export const POLL_FIRST_WAIT_MS = 2_000;
export const POLL_MAX_WAIT_MS = 30_000;

/**
 * The one place job polling waits: n8n's `sleep`, so the execution can be cancelled and no loop
 * spins. Tests put a virtual clock in its place, so a poll that waits seconds takes none.
 */
export const pollTimer = {
	wait: (ms: number): Promise<void> => sleep(ms),
};

export interface WaitSettings {
	timeoutMs: number;
}

/** Longest wait for a job: one day. Longer work belongs in n8n's Wait node and Job > Get. */
export const MAX_WAIT_MINUTES = 1440;

/** Timeout (Minutes) of every operation that waits for an Appcues job, with its description. */
export function timeoutField(description: string): INodeProperties {
	return {
		displayName: 'Timeout (Minutes)',
		name: 'waitTimeoutMinutes',
		type: 'number',
		typeOptions: { minValue: 0.05, maxValue: MAX_WAIT_MINUTES, numberPrecision: 2 },
		default: 10,
		description: `${description}. From 0.05 (3 seconds) to ${MAX_WAIT_MINUTES} (one day).`,
	};
}

/** The Timeout (Minutes) of one item in whole milliseconds, checked against the field's range. */
export function readTimeoutMs(this: IExecuteFunctions, itemIndex: number): number {
	return Math.round(readNumber.call(this, timeoutField(''), itemIndex) * 60_000);
}

export const waitFields: INodeProperties[] = [
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to wait until Appcues has finished the job ' +
			'and output the final job, instead of the accepted job',
	},
	{
		...timeoutField(
			'How long to wait for the job before failing with its ID, so it can be looked up later',
		),
		displayOptions: { show: { waitForCompletion: [true] } },
	},
];

export function readWaitSettings(
	this: IExecuteFunctions,
	itemIndex: number,
): WaitSettings | undefined {
	if (!readBoolean.call(this, 'waitForCompletion', 'Wait for Completion', itemIndex, false))
		return undefined;
	return { timeoutMs: readTimeoutMs.call(this, itemIndex) };
}

function failureText(job: IDataObject): string | undefined {
	for (const key of ['failure_reason', 'detail', 'error', 'message', 'title']) {
		const value = job[key];
		if (typeof value === 'string' && value.trim()) return value.trim();
		if (value && typeof value === 'object') return JSON.stringify(value);
	}
	return undefined;
}

export interface PollTarget {
	/** Path below the account, built with `path`. */
	statusPath: string;
	jobId: string;
	/** Field of the job that holds the status. */
	statusField?: string;
	/** For outcomes not covered by `jobOutcome` (e.g. analytics exports). */
	outcome?: (job: IDataObject) => JobOutcome;
	/**
	 * Poll at once, before the first wait: for a job that may have finished long ago (waited on
	 * by its ID), not one that was just submitted.
	 */
	pollFirst?: boolean;
	/** Which operation looks the job up later (named in the timeout error); Job > Get by default. */
	lookUpWith?: string;
}

/**
 * Polls a job with backoff (2 s doubling up to 30 s) until it is done, failed or the timeout
 * passes. Waits go through `pollTimer`.
 */
export async function waitForJob(
	this: IExecuteFunctions,
	client: AppcuesClient,
	target: PollTarget,
	settings: WaitSettings,
	itemIndex: number,
	now: () => number = Date.now,
): Promise<IDataObject> {
	const deadline = now() + settings.timeoutMs;
	let wait = POLL_FIRST_WAIT_MS;
	let lastStatus: unknown = 'unknown';
	for (let polls = 0; ; polls++) {
		if (polls > 0 || !target.pollFirst) {
			const remaining = deadline - now();
			if (remaining <= 0) break;
			await pollTimer.wait(Math.min(wait, remaining));
			wait = Math.min(wait * 2, POLL_MAX_WAIT_MS);
		}
		let job: IDataObject;
		try {
			job = ((await client.request({ method: 'GET', path: target.statusPath, itemIndex })) ??
				{}) as IDataObject;
		} catch (caught) {
			const error = ensureNodeError(this.getNode(), caught, itemIndex);
			// A job just submitted was accepted: without this, only the request path names it, and
			// running the item again would submit it twice.
			if (!target.pollFirst) {
				error.description = (
					`${error.description ?? ''} Appcues had accepted the request as job ` +
					`${target.jobId}, which may still run: look it up with ` +
					`${target.lookUpWith ?? 'Job > Get'} and the job ID ${target.jobId} before sending ` +
					'it again.'
				).trim();
			}
			throw error;
		}
		lastStatus = job[target.statusField ?? 'status'];
		const outcome = target.outcome ? target.outcome(job) : jobOutcome(lastStatus);
		if (outcome === 'done') return job;
		if (outcome === 'failed') {
			const reason = failureText(job);
			throw new NodeApiError(this.getNode(), job as never, {
				message: `Appcues job ${target.jobId} failed${reason ? `: ${reason}` : ''}`,
				description: `Final status: ${JSON.stringify(lastStatus)}.`,
				itemIndex,
			});
		}
	}
	throw itemError(
		this.getNode(),
		`Appcues job ${target.jobId} did not finish within ${formatDuration(settings.timeoutMs)}`,
		{
			description:
				`Last status: ${JSON.stringify(lastStatus)}. The job goes on in Appcues: ` +
				`look it up later with ${target.lookUpWith ?? 'Job > Get'} ` +
				`and the job ID ${target.jobId}, or raise the timeout.`,
			itemIndex,
		},
	);
}

function formatDuration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${seconds} seconds`;
}

/** The job accepted by Appcues (`{job_id, job_url, ...}`), waited on when asked to. */
export async function finishJob(
	this: IExecuteFunctions,
	client: AppcuesClient,
	accepted: unknown,
	itemIndex: number,
	wait: WaitSettings | undefined,
): Promise<IDataObject> {
	const job = (accepted && typeof accepted === 'object' ? accepted : {}) as IDataObject;
	if (!wait) return job;
	const jobId = jobIdOf(job);
	if (!jobId) {
		throw itemError(
			this.getNode(),
			`Appcues accepted the request but returned no job ID to wait for`,
			{
				description: `Answer: ${JSON.stringify(job).slice(0, 200)}`,
				itemIndex,
			},
		);
	}
	const final = await waitForJob.call(
		this,
		client,
		{ statusPath: path`/jobs/${jobId}`, jobId },
		wait,
		itemIndex,
	);
	return { ...final, job_id: jobId, job_url: job.job_url ?? final.url };
}

/**
 * The id from `job_id`, or else from the last segment of `job_url`. The URL itself is never
 * requested: polling stays on the credential's own base URL, so credentials go nowhere else.
 */
export function jobIdOf(job: IDataObject): string | undefined {
	if (typeof job.job_id === 'string' && job.job_id) return job.job_id;
	if (typeof job.job_id === 'number') return String(job.job_id);
	if (typeof job.job_url === 'string') {
		const match = /\/jobs\/([^/?#]+)\/?(?:[?#].*)?$/.exec(job.job_url);
		if (match) return decodeURIComponent(match[1]);
	}
	return undefined;
}

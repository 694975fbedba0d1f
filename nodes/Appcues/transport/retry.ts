import { sleep } from 'n8n-workflow';

/** Statuses Appcues (or a proxy in front of it) uses for "try again later". */
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Statuses that say the request was not processed: 429 (throttled before it was applied) and 503
 * (the service did not take it). Any request may be sent again after them.
 */
const NOT_APPLIED_STATUSES = new Set([429, 503]);

/**
 * Server errors after which a request may have been applied: the server (or the gateway in front
 * of it) failed or gave up while the request was being processed.
 */
export const MAYBE_APPLIED_STATUSES = new Set([500, 502, 504]);

/** The connection failed before the request reached Appcues: retrying cannot apply it twice. */
const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
]);

/** The connection failed after the request may have been sent. */
const MAYBE_SENT_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export type ConnectionFailure = 'not-sent' | 'maybe-sent';

export function classifyConnectionError(code: string | undefined): ConnectionFailure | undefined {
	if (!code) return undefined;
	if (NOT_SENT_CODES.has(code)) return 'not-sent';
	if (MAYBE_SENT_CODES.has(code)) return 'maybe-sent';
	return undefined;
}

export const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * What to do after a failed attempt:
 * - `retry`: send it again (within the retry budget);
 * - `may-have-applied`: stop, and say the request may have gone through;
 * - `fail`: stop with the error as it is.
 */
export type FailureHandling = 'retry' | 'may-have-applied' | 'fail';

/**
 * The one rule for requests that may have been applied. An idempotent request (GET, PUT, PATCH,
 * DELETE) is retried on 429, 502, 503, 504 and on any connection failure. A non-idempotent one
 * (POST) is retried only when Appcues cannot have applied it: on 429 and 503, and on connection
 * errors before any byte was sent. After a 500, 502 or 504, a timeout or a connection dropped once
 * it was sent, it is never sent again: the error says it may have gone through.
 */
export function handleFailure(
	method: string,
	failure: { status: number } | { connection: ConnectionFailure },
): FailureHandling {
	const idempotent = IDEMPOTENT_METHODS.has(method.toUpperCase());
	if ('connection' in failure) {
		if (failure.connection === 'not-sent' || idempotent) return 'retry';
		return 'may-have-applied';
	}
	const { status } = failure;
	if (NOT_APPLIED_STATUSES.has(status)) return 'retry';
	if (idempotent) return RETRYABLE_STATUSES.has(status) ? 'retry' : 'fail';
	return MAYBE_APPLIED_STATUSES.has(status) ? 'may-have-applied' : 'fail';
}

export interface RetryPolicy {
	maxRetries: number;
	/** Cap on any single wait, including one asked for by Retry-After. */
	maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, maxWaitMs: 30_000 };

const BASE_WAIT_MS = 1_000;

/**
 * Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in the past is 0;
 * anything else (a negative number, text) is ignored.
 */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	// Only a real HTTP date: Date.parse also reads "-5" or "2" as years.
	if (!/[a-z]{3}/i.test(trimmed)) return undefined;
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential backoff with full jitter (a random wait between 0 and the exponential step, at most
 * `maxStepMs`), so that many items failing at once do not retry in lockstep. A longer
 * Retry-After wins; a shorter one (0, a date in the past) never shortens the backoff, so the
 * retry budget always spans time.
 */
export function retryDelayMs(
	retryNumber: number,
	policy: RetryPolicy,
	retryAfterMs: number | undefined,
	random: () => number = Math.random,
	baseWaitMs: number = BASE_WAIT_MS,
	maxStepMs: number = policy.maxWaitMs,
): number {
	const base = Math.min(baseWaitMs, policy.maxWaitMs);
	const step = Math.min(policy.maxWaitMs, maxStepMs, base * 2 ** retryNumber);
	const backoff = Math.floor(random() * step);
	return Math.min(policy.maxWaitMs, Math.max(backoff, retryAfterMs ?? 0));
}

/** Retries allowed for a 429, as a multiple of Max Retries. */
export const THROTTLED_RETRY_FACTOR = 3;
/** The backoff of a 429 without Retry-After starts at this step … */
export const THROTTLED_BASE_WAIT_MS = 250;
/** … and, for 429s the throttle has found to be background, stays below this. */
export const BACKGROUND_WAIT_MS = 50;

/**
 * The wait before sending a request answered 429 again (a 429 was never applied). While the
 * throttle takes 429s for overload, the backoff grows from 250 ms (full jitter) up to Max Retry
 * Wait, so a storm of 429s is waited out over minutes. Once it has found them to be background
 * (a share of refusals that slowing down does not lower), a longer wait would only keep an item
 * that is refused again and again (the last of a run, on its fifth or sixth try) waiting while the
 * account has room: the wait stays below 50 ms whatever the retry number, and the throttle paces
 * the retries with every other request. Retry-After, when Appcues sends it, wins either way (up
 * to Max Retry Wait).
 */
export function throttledRetryDelayMs(
	retryNumber: number,
	policy: RetryPolicy,
	retryAfterMs: number | undefined,
	background: boolean,
	random: () => number = Math.random,
): number {
	return background
		? retryDelayMs(
				retryNumber,
				policy,
				retryAfterMs,
				random,
				BACKGROUND_WAIT_MS,
				BACKGROUND_WAIT_MS,
			)
		: retryDelayMs(retryNumber, policy, retryAfterMs, random, THROTTLED_BASE_WAIT_MS);
}

/**
 * The one place a retry waits (tests replace it to record the waits instead of sleeping). Says
 * whether to try again: not when `giveUp` has fired, before or during the wait (a caller that
 * stopped waiting: its own deadline, or a cancel), which also ends the wait at once.
 */
export async function waitBeforeRetry(ms: number, giveUp?: AbortSignal): Promise<boolean> {
	if (!giveUp) {
		await sleep(ms);
		return true;
	}
	if (giveUp.aborted) return false;
	let stop!: () => void;
	const stopped = new Promise<void>((resolve) => (stop = resolve));
	giveUp.addEventListener('abort', stop, { once: true });
	try {
		await Promise.race([sleep(ms), stopped]);
	} finally {
		giveUp.removeEventListener('abort', stop);
	}
	return !giveUp.aborted;
}

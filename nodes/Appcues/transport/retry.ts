/** Statuses Appcues (or a proxy in front of it) uses for "try again later". */
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** The connection failed before the request reached Appcues: retrying cannot apply it twice. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

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

export interface RetryPolicy {
	maxRetries: number;
	/** Cap on any single wait, including one asked for by Retry-After. */
	maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, maxWaitMs: 30_000 };

const BASE_WAIT_MS = 1_000;

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential backoff with full jitter (a random wait between 0 and the exponential step), so
 * that many items throttled at once do not retry in lockstep; Retry-After wins when present.
 */
export function retryDelayMs(
	retryNumber: number,
	policy: RetryPolicy,
	retryAfterMs: number | undefined,
	random: () => number = Math.random,
	baseWaitMs: number = BASE_WAIT_MS,
): number {
	if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxWaitMs);
	const base = Math.min(baseWaitMs, policy.maxWaitMs);
	const step = Math.min(policy.maxWaitMs, base * 2 ** retryNumber);
	return Math.floor(random() * step);
}

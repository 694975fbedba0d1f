import type { IDataObject } from 'n8n-workflow';

/**
 * What Appcues' rate-limit headers say. Appcues sends them on the analytics routes only (its
 * CLI reads X-RateLimit-Limit, -Remaining, -Reset, X-Concurrency-Limit, -Used and Retry-After);
 * the other routes answer 429 with none of them.
 */
export interface RateLimitHeaders {
	/** Requests per second the account may send. */
	limit?: number;
	/** Requests left before the budget is spent. */
	remaining?: number;
	/** When the budget is back (ms since the epoch). */
	resetAt?: number;
	retryAfterMs?: number;
	concurrencyLimit?: number;
	concurrencyUsed?: number;
}

/** A Reset above this is a Unix time in seconds; at or below, seconds from now. */
const UNIX_SECONDS_FROM = 1_000_000_000;

/** A Reset further away than this (either way) is not a budget of requests per second: ignored. */
const FARTHEST_RESET_MS = 3_600_000;

function header(headers: IDataObject, name: string): number | undefined {
	const raw = headers[name] ?? headers[name.toLowerCase()];
	const text = Array.isArray(raw) ? raw[0] : raw;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const trimmed = String(text).trim();
	// Whole numbers only, as Appcues' CLI reads them; anything else is ignored.
	return /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * The rate-limit headers of an answer, or undefined when it has none (Retry-After alone is about
 * the one request, not the budget).
 */
export function readRateLimitHeaders(
	headers: IDataObject | undefined,
	now: number,
): RateLimitHeaders | undefined {
	if (!headers) return undefined;
	const limit = header(headers, 'x-ratelimit-limit');
	const remaining = header(headers, 'x-ratelimit-remaining');
	const reset = header(headers, 'x-ratelimit-reset');
	const concurrencyLimit = header(headers, 'x-concurrency-limit');
	const concurrencyUsed = header(headers, 'x-concurrency-used');
	if ([limit, remaining, reset, concurrencyLimit, concurrencyUsed].every((v) => v === undefined))
		return undefined;
	const retryAfter = header(headers, 'retry-after');
	const resetAt =
		reset === undefined ? undefined : reset > UNIX_SECONDS_FROM ? reset * 1000 : now + reset * 1000;
	return {
		limit,
		remaining,
		resetAt:
			resetAt !== undefined && Math.abs(resetAt - now) <= FARTHEST_RESET_MS ? resetAt : undefined,
		retryAfterMs: retryAfter === undefined ? undefined : retryAfter * 1000,
		concurrencyLimit,
		concurrencyUsed,
	};
}

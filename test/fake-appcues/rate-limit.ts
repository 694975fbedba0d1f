/**
 * The account-wide rate limit: a token bucket per account holding one second of traffic (Appcues
 * allows about 60 requests per second), answered with 429. Appcues sends no Retry-After and no
 * rate-limit headers on most routes; the analytics routes send X-RateLimit-Limit, -Remaining,
 * -Reset, X-Concurrency-Limit, -Used and Retry-After (Appcues' CLI, crates/appcues/src/client.rs,
 * reads exactly these, "the analytics routes do; legacy routes don't").
 */
import { HttpProblem } from './problem';

export class RateLimit {
	private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

	/** `rate` gives the current limit per second; 0 turns the limit off. */
	constructor(private readonly rate: () => number) {}

	/** Takes a token from the account's bucket; false when it is empty. */
	allow(accountId: string): boolean {
		const rate = this.rate();
		if (!(rate > 0)) return true;
		const now = Date.now();
		const bucket = this.buckets.get(accountId) ?? { tokens: rate, updatedAt: now };
		bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
		bucket.updatedAt = now;
		this.buckets.set(accountId, bucket);
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}

	/**
	 * X-RateLimit-* headers as the analytics routes send them. Limit is the per-second rate (60
	 * when the fake's limit is off), Remaining the whole requests left in the bucket, Reset the
	 * Unix time (seconds) when the bucket is full again.
	 */
	headers(accountId: string): Record<string, string> {
		const rate = this.rate() > 0 ? this.rate() : 60;
		const bucket = this.rate() > 0 ? this.buckets.get(accountId) : undefined;
		const tokens = bucket?.tokens ?? rate;
		const resetMs = Date.now() + ((rate - tokens) / rate) * 1000;
		return {
			'X-RateLimit-Limit': String(rate),
			'X-RateLimit-Remaining': String(Math.max(0, Math.floor(tokens))),
			'X-RateLimit-Reset': String(Math.ceil(resetMs / 1000)),
		};
	}

	/** Fills every bucket again (after a reset or a change of the limit). */
	clear() {
		this.buckets.clear();
	}
}

/**
 * Analytics requests of each account being handled at once, for X-Concurrency-Used, against a
 * limit checked when a request arrives.
 */
export class AnalyticsConcurrency {
	private readonly inFlight = new Map<string, number>();

	/**
	 * A request arrives: admitted while fewer than `limit` are in flight (it then counts until
	 * `leave`), refused otherwise.
	 */
	enter(accountId: string, limit: number): { admitted: boolean; leave: () => void } {
		if (this.used(accountId) >= limit) return { admitted: false, leave: () => undefined };
		this.inFlight.set(accountId, this.used(accountId) + 1);
		let left = false;
		const leave = () => {
			if (left) return;
			left = true;
			this.inFlight.set(accountId, this.used(accountId) - 1);
		};
		return { admitted: true, leave };
	}

	used(accountId: string): number {
		return this.inFlight.get(accountId) ?? 0;
	}

	headers(accountId: string, limit: number): Record<string, string> {
		return {
			'X-Concurrency-Limit': String(limit),
			'X-Concurrency-Used': String(this.used(accountId)),
		};
	}
}

export function rateLimited(headers: Record<string, string> = {}) {
	return new HttpProblem(
		429,
		'Too Many Requests',
		'requests from this API key are being throttled due to heavy traffic',
		headers,
	);
}

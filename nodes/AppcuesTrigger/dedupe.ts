/** One remembered event or delivery: its key and until when it is remembered (Unix ms). */
export type SeenEntry = [key: string, expiresAtMs: number];

/**
 * Time bounds the memory first; the cap only guards against a flood. It is generous, so that even a
 * body of thousands of events pushes out nothing still inside its window.
 */
export const MAX_SEEN = 10_000;

/** Where the memory is kept in the node's static data (the name predates delivery digests). */
export const SEEN_EVENTS_KEY = 'seenEventIds';

const HOUR_MS = 60 * 60 * 1000;

/**
 * How long a delivery verified by a body-only signature is remembered: its timestamp is not signed,
 * so the replay window does not stop a copy sent later with a fresh timestamp; this memory does.
 */
export const BODY_ONLY_MEMORY_MS = 24 * HOUR_MS;

/**
 * With the time check off (window 0) a copy of any age passes it, so entries have no time limit and
 * only the cap bounds them; far-future expiries keep them in order of arrival for the cap.
 */
const NO_TIME_LIMIT_MS = 100 * 365 * 24 * HOUR_MS;

/**
 * Until when an event id (or a delivery without one) is remembered: as long as a copy could still
 * pass the replay window. That is until its own timestamp plus the window, and since a timestamp may
 * be up to a window in the future, never less than two windows from receipt.
 */
export function rememberUntil(nowMs: number, windowSeconds: number, timestampMs?: number): number {
	if (windowSeconds <= 0) return nowMs + NO_TIME_LIMIT_MS;
	const windowMs = windowSeconds * 1000;
	return Math.max(nowMs + 2 * windowMs, timestampMs === undefined ? 0 : timestampMs + windowMs);
}

/** Keys and their expiries, bounded by time and by MAX_SEEN. */
export class SeenDeliveries {
	private readonly expiries = new Map<string, number>();

	get size(): number {
		return this.expiries.size;
	}

	has(key: string, nowMs: number): boolean {
		const expiresAtMs = this.expiries.get(key);
		return expiresAtMs !== undefined && expiresAtMs > nowMs;
	}

	/** A key already known keeps the later of its two expiries. */
	remember(key: string, expiresAtMs: number): void {
		const known = this.expiries.get(key);
		if (known === undefined || known < expiresAtMs) this.expiries.set(key, expiresAtMs);
	}

	forget(key: string): void {
		this.expiries.delete(key);
	}

	/**
	 * Adds what static data holds (saved by this or another process), skipping anything malformed:
	 * the data outlives code versions. Returns how many live entries static data held.
	 */
	merge(stored: unknown, nowMs: number): number {
		if (!Array.isArray(stored)) return 0;
		let live = 0;
		for (const entry of stored) {
			if (
				Array.isArray(entry) &&
				entry.length === 2 &&
				typeof entry[0] === 'string' &&
				typeof entry[1] === 'number' &&
				entry[1] > nowMs
			) {
				this.remember(entry[0], entry[1]);
				live++;
			}
		}
		return live;
	}

	/** Drops what has expired, then, over the cap, what expires soonest. */
	prune(nowMs: number): void {
		for (const [key, expiresAtMs] of this.expiries) {
			if (expiresAtMs <= nowMs) this.expiries.delete(key);
		}
		const excess = this.expiries.size - MAX_SEEN;
		if (excess <= 0) return;
		const soonestFirst = [...this.expiries].sort((a, b) => a[1] - b[1]);
		for (const [key] of soonestFirst.slice(0, excess)) this.expiries.delete(key);
	}

	toStored(): SeenEntry[] {
		return [...this.expiries];
	}
}

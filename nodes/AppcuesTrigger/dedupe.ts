/** One remembered event or delivery: its key and until when it is remembered (Unix ms). */
export type SeenEntry = [key: string, expiresAtMs: number];

/**
 * Time bounds the memory of event ids first; the cap only guards against a flood. It is generous,
 * so that even a body of thousands of events pushes out nothing still inside its window.
 */
export const MAX_SEEN = 10_000;

/**
 * How many body-only deliveries are remembered at once. They are never pushed out before they
 * expire (that would reopen a replay), so a delivery that would need a place beyond this bound is
 * refused until one expires.
 */
export const MAX_BODY_ONLY_DIGESTS = 10_000;

/** Where the memory is kept in the node's static data (the name predates delivery digests). */
export const SEEN_EVENTS_KEY = 'seenEventIds';

/** Keys of body-only deliveries start with this; they are kept apart from event ids. */
export const BODY_ONLY_PREFIX = 'body:';

const HOUR_MS = 60 * 60 * 1000;

/**
 * How long a delivery verified by a body-only signature is remembered when its events carry no
 * time of their own: its timestamp header is not signed, so the replay window does not stop a
 * copy sent later with a fresh timestamp; this memory does.
 */
export const BODY_ONLY_MEMORY_MS = 24 * HOUR_MS;

/**
 * With the time check off (window 0) a copy of any age passes it, so entries have no time limit and
 * only the cap bounds them; far-future expiries keep them in order of arrival for the cap.
 */
const NO_TIME_LIMIT_MS = 100 * 365 * 24 * HOUR_MS;

/**
 * Until when an event id (or a delivery without one) is remembered: as long as a copy could still
 * pass the replay window. That is until its own timestamp plus the window, and since a timestamp
 * may be up to a window in the future, never less than two windows from receipt.
 */
export function rememberUntil(nowMs: number, windowSeconds: number, timestampMs?: number): number {
	if (windowSeconds <= 0) return nowMs + NO_TIME_LIMIT_MS;
	const windowMs = windowSeconds * 1000;
	return Math.max(nowMs + 2 * windowMs, timestampMs === undefined ? 0 : timestampMs + windowMs);
}

/** Keys and their expiries, with the oldest-expiring ones first when the cap is reached. */
class ExpiringKeys {
	readonly expiries = new Map<string, number>();

	expiryOf(key: string, nowMs: number): number | undefined {
		const expiresAtMs = this.expiries.get(key);
		return expiresAtMs !== undefined && expiresAtMs > nowMs ? expiresAtMs : undefined;
	}

	/** A key already known keeps the later of its two expiries. */
	remember(key: string, expiresAtMs: number): void {
		const known = this.expiries.get(key);
		if (known === undefined || known < expiresAtMs) this.expiries.set(key, expiresAtMs);
	}

	dropExpired(nowMs: number): void {
		for (const [key, expiresAtMs] of this.expiries) {
			if (expiresAtMs <= nowMs) this.expiries.delete(key);
		}
	}

	dropSoonestExpiring(count: number, keep: (key: string) => boolean): void {
		if (count <= 0) return;
		const soonestFirst = [...this.expiries].sort((a, b) => a[1] - b[1]);
		for (const [key] of soonestFirst) {
			if (count <= 0) return;
			if (keep(key)) continue;
			this.expiries.delete(key);
			count--;
		}
	}
}

/**
 * What the trigger has seen: event ids and delivery digests, each with an expiry.
 *
 * A key is pending from the moment its delivery is accepted here until n8n has answered that
 * delivery: it already counts as seen (so a simultaneous copy starts no second run), and it is
 * written to static data only by its own delivery, which n8n saves only once it has queued the run.
 * Any other delivery leaves it out. When n8n answers with an error (it could not start the run,
 * and the sender will try again) the key is forgotten, and remembered as forgotten until it would
 * have expired, so that static data cannot bring it back.
 *
 * Body-only digests are kept apart: an unexpired one is never pushed out to make room, because
 * forgetting it early would let a captured copy run again.
 */
export class SeenDeliveries {
	private readonly events = new ExpiringKeys();
	private readonly bodyOnly = new ExpiringKeys();
	private readonly pending = new Set<string>();
	private readonly forgotten = new ExpiringKeys();

	private storeOf(key: string): ExpiringKeys {
		return key.startsWith(BODY_ONLY_PREFIX) ? this.bodyOnly : this.events;
	}

	get size(): number {
		return this.events.expiries.size + this.bodyOnly.expiries.size;
	}

	/** Unexpired body-only digests. */
	bodyOnlyCount(nowMs: number): number {
		this.bodyOnly.dropExpired(nowMs);
		return this.bodyOnly.expiries.size;
	}

	/** Whether one more body-only digest can be remembered without pushing out a live one. */
	hasRoomForBodyOnly(nowMs: number): boolean {
		return this.bodyOnlyCount(nowMs) < MAX_BODY_ONLY_DIGESTS;
	}

	/** Whether the key's delivery is still waiting for n8n's answer. */
	isPending(key: string): boolean {
		return this.pending.has(key);
	}

	has(key: string, nowMs: number): boolean {
		return this.storeOf(key).expiryOf(key, nowMs) !== undefined;
	}

	/**
	 * Remembers a key; with `pending`, only until forget() unless confirm() comes first. A key
	 * already known keeps the later of its two expiries.
	 */
	remember(key: string, expiresAtMs: number, pending = false): void {
		this.storeOf(key).remember(key, expiresAtMs);
		this.forgotten.expiries.delete(key);
		if (pending) this.pending.add(key);
	}

	/** n8n accepted the delivery: its keys are stored with every later delivery. */
	confirm(keys: Iterable<string>): void {
		for (const key of keys) this.pending.delete(key);
	}

	/** n8n could not start the run: the delivery's keys are dropped, so that its retry runs. */
	forget(keys: Iterable<string>): void {
		for (const key of keys) {
			if (!this.pending.delete(key)) continue;
			const store = this.storeOf(key);
			const expiresAtMs = store.expiries.get(key);
			store.expiries.delete(key);
			if (expiresAtMs !== undefined) this.forgotten.remember(key, expiresAtMs);
		}
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
				live++;
				// A key this process forgot stays forgotten, whatever static data was saved meanwhile.
				if (this.forgotten.expiryOf(entry[0], nowMs) !== undefined) continue;
				// Stored keys were acknowledged where they were written, so they count as such here.
				this.storeOf(entry[0]).remember(entry[0], entry[1]);
				this.pending.delete(entry[0]);
			}
		}
		return live;
	}

	/**
	 * Drops what has expired, then, over the cap, the event ids that expire soonest. Body-only
	 * digests are never pushed out, and neither are pending keys (their delivery is still open).
	 */
	prune(nowMs: number): void {
		this.events.dropExpired(nowMs);
		this.bodyOnly.dropExpired(nowMs);
		this.forgotten.dropExpired(nowMs);
		for (const key of this.pending) {
			if (!this.has(key, nowMs)) this.pending.delete(key);
		}
		this.events.dropSoonestExpiring(this.events.expiries.size - MAX_SEEN, (key) =>
			this.pending.has(key),
		);
	}

	/** How many remembered keys are acknowledged, as static data should hold them. */
	get storedSize(): number {
		return this.size - this.pending.size;
	}

	/**
	 * The entries static data keeps: the acknowledged ones and the delivery's own pending keys
	 * (n8n saves a delivery's static data only once it has queued its run), never another open
	 * delivery's.
	 */
	toStored(ownKeys: ReadonlySet<string> = new Set()): SeenEntry[] {
		const stored: SeenEntry[] = [];
		for (const store of [this.events, this.bodyOnly]) {
			for (const [key, expiresAtMs] of store.expiries) {
				if (!this.pending.has(key) || ownKeys.has(key)) stored.push([key, expiresAtMs]);
			}
		}
		return stored;
	}
}

import { sleep } from 'n8n-workflow';

/**
 * Requests are counted in windows this much longer than one second: room for the clocks' whole
 * milliseconds and for what the round trips cannot show (see `settle`).
 */
export const WINDOW_MARGIN_MS = 10;
const WINDOW_MS = 1000 + WINDOW_MARGIN_MS;
/**
 * Slots missed while the node was busy (reading its items, the first connection) may be made up,
 * up to this share of a second of requests, as long as no window holds more than the limit.
 */
const CATCH_UP_SECONDS = 1 / 6;

export type Clock = () => number;
export type Wait = (ms: number) => Promise<void>;

/** A send slot: when the request may leave, and its place in the pacer's sequence. */
export interface Slot {
	at: number;
	seq: number;
}

/**
 * Hands out send slots, one at a time in the order they were asked for:
 * - never more than `limit` (rounded down, at least 1) in any one-second window where Appcues
 *   counts them, as far as the node can tell: from the moment each request really leaves (a
 *   late timer cannot squeeze two together), moved later by how much longer its round trip took
 *   than the quickest one (a request held up on its way, by a new connection or a busy process,
 *   reached Appcues that much later);
 * - evenly spaced at the current rate, which may be lowered below the limit;
 * - none before a time Appcues named (hold).
 */
export class Pacer {
	/** Requests the ring remembers: the most ever allowed in one window. */
	private readonly perWindow: number;

	/** Requests allowed in one window now (at most perWindow). */
	private cap: number;

	/** When the last `perWindow` requests left, and when their answers came (NaN until then). */
	private readonly sentAt: number[];

	private readonly answeredAt: number[];

	private quickestRoundTrip = Number.POSITIVE_INFINITY;

	private sent = 0;

	private rate: number;

	private nextSlotAt = Number.NEGATIVE_INFINITY;

	private heldUntil = Number.NEGATIVE_INFINITY;

	private queue: Promise<unknown> = Promise.resolve();

	constructor(
		readonly limit: number,
		private readonly now: Clock = Date.now,
		private readonly wait: Wait = sleep,
	) {
		this.perWindow = Math.max(1, Math.floor(limit));
		this.cap = this.perWindow;
		this.sentAt = new Array<number>(this.perWindow);
		this.answeredAt = new Array<number>(this.perWindow).fill(Number.NaN);
		this.rate = limit;
	}

	get currentRate(): number {
		return this.rate;
	}

	/** The pace for the next slots, within (0, limit]. */
	setRate(rate: number): void {
		if (rate > 0) this.rate = Math.min(this.limit, rate);
	}

	/** A lower limit for every window from now on (Appcues' headers gave it), and its pace. */
	setLimit(limit: number): void {
		this.cap = Math.min(this.perWindow, Math.max(1, Math.floor(limit)));
		this.setRate(limit);
	}

	/** No slot before `until` (Appcues said its budget is spent until then). */
	holdUntil(until: number): void {
		this.heldUntil = Math.max(this.heldUntil, until);
	}

	/** Waits for the next slot; the request may leave at once. */
	acquire(): Promise<Slot> {
		const slot = this.queue.then(async () => await this.take());
		this.queue = slot.catch(() => undefined);
		return slot;
	}

	/** The answer to the request sent in `slot` came at `answeredAt`. */
	settle(slot: Slot, answeredAt: number): void {
		const roundTrip = answeredAt - slot.at;
		if (roundTrip >= 0) this.quickestRoundTrip = Math.min(this.quickestRoundTrip, roundTrip);
		if (this.sent - slot.seq <= this.perWindow)
			this.answeredAt[slot.seq % this.perWindow] = answeredAt;
	}

	private async take(): Promise<Slot> {
		for (;;) {
			const now = this.now();
			const at = this.earliest();
			// (A microsecond of slack for the sums of fractional intervals.)
			if (at <= now + 1e-3) return this.record(now);
			await this.wait(Math.max(1, Math.ceil(at - now)));
		}
	}

	/**
	 * When the request in ring place `index` reached Appcues, at the latest, as the time it would
	 * have left with the quickest round trip: the answer came back no sooner than that.
	 */
	private reachedBy(index: number): number {
		const answered = this.answeredAt[index];
		if (!Number.isFinite(answered) || !Number.isFinite(this.quickestRoundTrip))
			return this.sentAt[index];
		return Math.max(this.sentAt[index], answered - this.quickestRoundTrip);
	}

	private earliest(): number {
		let at = Math.max(this.heldUntil, this.nextSlotAt);
		// The request `cap` places back must have left a whole window ago.
		if (this.sent >= this.cap)
			at = Math.max(at, this.reachedBy((this.sent - this.cap) % this.perWindow) + WINDOW_MS);
		return at;
	}

	private record(now: number): Slot {
		// At the limit the spacing is that of the window, so the pace stays even.
		const interval = Math.max(1000 / this.rate, WINDOW_MS / this.cap);
		const catchUp = Math.floor(this.rate * CATCH_UP_SECONDS) * interval;
		this.nextSlotAt = Math.max(this.nextSlotAt, now - catchUp) + interval;
		this.sentAt[this.sent % this.perWindow] = now;
		this.answeredAt[this.sent % this.perWindow] = Number.NaN;
		return { at: now, seq: this.sent++ };
	}
}

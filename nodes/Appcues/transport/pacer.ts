import { sleep } from 'n8n-workflow';

/**
 * Requests are counted in windows this much longer than one second, so that the time from
 * leaving the node to reaching Appcues may vary by this much without two windows' requests
 * crowding into one second at Appcues.
 */
export const WINDOW_MARGIN_MS = 20;
const WINDOW_MS = 1000 + WINDOW_MARGIN_MS;
/**
 * Slots missed while the node was busy (reading its items, the first connection) may be made up,
 * up to this share of a second of requests, as long as no window holds more than the limit.
 */
const CATCH_UP_SECONDS = 1 / 6;

export type Clock = () => number;
export type Wait = (ms: number) => Promise<void>;

/**
 * Hands out send slots, one at a time in the order they were asked for:
 * - never more than `limit` (rounded down, at least 1) in any one-second window, counted from the
 *   moment each request really leaves (a late timer cannot squeeze two requests together);
 * - evenly spaced at the current rate, which may be lowered below the limit;
 * - none before a time Appcues named (hold).
 */
export class Pacer {
	/** Requests the ring remembers: the most ever allowed in one window. */
	private readonly perWindow: number;

	/** Requests allowed in one window now (at most perWindow). */
	private cap: number;

	/** When the last `perWindow` requests left, as a ring. */
	private readonly sentAt: number[];

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

	/** Waits for the next slot and returns the time the request may leave. */
	acquire(): Promise<number> {
		const slot = this.queue.then(async () => await this.take());
		this.queue = slot.catch(() => undefined);
		return slot;
	}

	private async take(): Promise<number> {
		for (;;) {
			const now = this.now();
			const at = this.earliest();
			if (at <= now) {
				this.record(now);
				return now;
			}
			await this.wait(Math.max(1, Math.ceil(at - now)));
		}
	}

	private earliest(): number {
		let at = Math.max(this.heldUntil, this.nextSlotAt);
		// The request `cap` places back must have left a whole window ago.
		if (this.sent >= this.cap)
			at = Math.max(at, this.sentAt[(this.sent - this.cap) % this.perWindow] + WINDOW_MS);
		return at;
	}

	private record(now: number): void {
		// At the limit the spacing is that of the window, so the pace stays even.
		const interval = Math.max(1000 / this.rate, WINDOW_MS / this.cap);
		const catchUp = Math.floor(this.rate * CATCH_UP_SECONDS) * interval;
		this.nextSlotAt = Math.max(this.nextSlotAt, now - catchUp) + interval;
		this.sentAt[this.sent % this.perWindow] = now;
		this.sent++;
	}
}

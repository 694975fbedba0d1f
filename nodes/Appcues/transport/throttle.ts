import { sleep } from 'n8n-workflow';

/** Rate never drops below this, so a run always makes progress. */
const MIN_RATE = 1;
/** Share of the rate kept after a 429. */
const DECREASE_FACTOR = 0.7;
/** One burst of 429s answers one overload: further 429s within this time do not lower the rate again. */
const DECREASE_COOLDOWN_MS = 1_000;
/**
 * After a decrease the rate climbs back by this share of the maximum per second of successes:
 * random 429s (not overload) then cost little, while a real overload still shows as a new 429.
 */
const INCREASE_SHARE_PER_SECOND = 0.5;
/**
 * Slots missed while the node was busy (parameter evaluation, the first connection) may be made
 * up, up to this share of a second of requests; without it a run never reaches the full rate.
 */
const BURST_SECONDS = 1 / 6;

/**
 * Spaces requests evenly, shared by every request of one node execution whatever the
 * concurrency, so the account-wide limit is respected as a whole.
 *
 * It adapts (additive increase, multiplicative decrease): it starts at the maximum rate, lowers
 * the rate by 30 % when Appcues answers 429 (once per burst of 429s), and climbs back by half
 * the maximum per second while requests succeed.
 * Appcues sends no rate-limit headers on most routes, so 429s are the only signal there is.
 */
export class Throttle {
	private nextSlotAt = 0;

	private rate: number;

	private lastDecreaseAt = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly maxRate: number,
		private readonly now: () => number = Date.now,
		private readonly wait: (ms: number) => Promise<void> = sleep,
	) {
		this.rate = maxRate;
	}

	get currentRate(): number {
		return this.rate;
	}

	async acquire(): Promise<void> {
		if (!(this.rate > 0)) return;
		const interval = 1000 / this.rate;
		const now = this.now();
		const burst = Math.floor(this.rate * BURST_SECONDS) * interval;
		const slot = Math.max(now - burst, this.nextSlotAt);
		this.nextSlotAt = slot + interval;
		if (slot > now) await this.wait(slot - now);
	}

	/** Appcues answered 429. */
	onThrottled(): void {
		if (!(this.maxRate > 0)) return;
		const now = this.now();
		if (now - this.lastDecreaseAt < DECREASE_COOLDOWN_MS) return;
		this.lastDecreaseAt = now;
		this.rate = Math.max(Math.min(MIN_RATE, this.maxRate), this.rate * DECREASE_FACTOR);
		// No making up for missed slots right after Appcues said slow down.
		this.nextSlotAt = Math.max(this.nextSlotAt, now);
	}

	/** A request got through: probe back up towards the maximum. */
	onSuccess(): void {
		if (!(this.maxRate > 0) || this.rate >= this.maxRate) return;
		this.rate = Math.min(this.maxRate, this.rate + (this.maxRate * INCREASE_SHARE_PER_SECOND) / this.rate);
	}
}

import { sleep } from 'n8n-workflow';

/** Rate never drops below this, so a run always makes progress. */
const MIN_RATE = 1;
/**
 * Slots missed while the node was busy (parameter evaluation, the first connection) may be made
 * up, up to this share of a second of requests; without it a run never reaches the full rate.
 */
const BURST_SECONDS = 1 / 6;

export interface ThrottleTuning {
	/** Share of the rate kept after a 429. */
	decreaseFactor: number;
	/** Two decreases are at least this far apart, so one burst of 429s counts once. */
	minDecreaseGapMs: number;
	/** Climb per second, as a share of the maximum, when no 429 came for `calmMs`. */
	fastIncreaseShare: number;
	/** Climb per second, as a share of the maximum, within `calmMs` of a 429. */
	slowIncreaseShare: number;
	calmMs: number;
}

/**
 * Chosen with the model in bench/lib/simulate.ts (Appcues' 60/s bucket, 100 ms latency): a lone
 * run climbs back fast after a stray 429, while two or three processes that each see 429s, or a
 * foreign client taking half the account, settle close to the limit with few 429s. A slower
 * climb after a 429 is what makes independent processes converge; the price is a lower rate
 * when 429s come at random rather than from overload (the README has the figures).
 */
export const DEFAULT_TUNING: ThrottleTuning = {
	decreaseFactor: 0.6,
	minDecreaseGapMs: 1_000,
	fastIncreaseShare: 0.5,
	slowIncreaseShare: 0.2,
	calmMs: 2_000,
};

/**
 * Spaces requests evenly, shared by everything that takes its slots whatever the concurrency
 * (one per Appcues account in a process, see accountBudget.ts), so the account's limit is
 * respected as a whole.
 *
 * It adapts (additive increase, multiplicative decrease): it starts at the maximum rate, lowers
 * the rate by 40 % when Appcues answers 429 (once per burst of 429s: not again within a second,
 * nor for requests sent before the last decrease), and climbs back while requests succeed:
 * slowly for two seconds after a 429, then by half the maximum per second.
 * Appcues sends no rate-limit headers on most routes, so 429s are the only signal there is.
 */
export class Throttle {
	private nextSlotAt = 0;

	private rate: number;

	private lastDecreaseAt = Number.NEGATIVE_INFINITY;

	/** Last time a slot was taken or an answer reported: the registry drops idle throttles. */
	lastUsedAt: number;

	constructor(
		private readonly maxRate: number,
		private readonly now: () => number = Date.now,
		private readonly wait: (ms: number) => Promise<void> = sleep,
		private readonly tuning: ThrottleTuning = DEFAULT_TUNING,
	) {
		this.rate = maxRate;
		this.lastUsedAt = now();
	}

	get currentRate(): number {
		return this.rate;
	}

	get limit(): number {
		return this.maxRate;
	}

	/** Waits for the next slot and returns its time, to hand back with onThrottled. */
	async acquire(): Promise<number> {
		const now = this.now();
		this.lastUsedAt = now;
		if (!(this.rate > 0)) return now;
		const interval = 1000 / this.rate;
		const burst = Math.floor(this.rate * BURST_SECONDS) * interval;
		const slot = Math.max(now - burst, this.nextSlotAt);
		this.nextSlotAt = slot + interval;
		if (slot > now) await this.wait(slot - now);
		return Math.max(slot, now);
	}

	/** Appcues answered 429 to the request sent in the slot `sentAt`. */
	onThrottled(sentAt: number = this.now()): void {
		const now = this.now();
		this.lastUsedAt = now;
		if (!(this.maxRate > 0)) return;
		// A request that left before the last decrease says nothing about the lower rate.
		if (sentAt < this.lastDecreaseAt) return;
		if (now - this.lastDecreaseAt < this.tuning.minDecreaseGapMs) return;
		this.lastDecreaseAt = now;
		this.rate = Math.max(Math.min(MIN_RATE, this.maxRate), this.rate * this.tuning.decreaseFactor);
		// No making up for missed slots right after Appcues said slow down.
		this.nextSlotAt = Math.max(this.nextSlotAt, now);
	}

	/** A request got through: probe back up towards the maximum. */
	onSuccess(): void {
		const now = this.now();
		this.lastUsedAt = now;
		if (!(this.maxRate > 0) || this.rate >= this.maxRate) return;
		const calm = now - this.lastDecreaseAt >= this.tuning.calmMs;
		const share = calm ? this.tuning.fastIncreaseShare : this.tuning.slowIncreaseShare;
		this.rate = Math.min(this.maxRate, this.rate + (this.maxRate * share) / this.rate);
	}
}

import { sleep } from 'n8n-workflow';

import { type Clock, Pacer, type Slot, type Wait } from './pacer';
import type { RateLimitHeaders } from './rateLimitHeaders';

/** Rate never drops below this, so a run always makes progress. */
const MIN_RATE = 1;
/**
 * Rate-limit headers that say the budget is spent hold every request of the account until it is
 * back, but never longer than this (the default Max Retry Wait): a budget of requests per second
 * is back within seconds, and a wrong header must not stop the account's executions for hours.
 */
const LONGEST_HOLD_MS = 30_000;
/**
 * A larger share of 429s is never taken as background: when most requests are refused, the
 * throttle slows down whatever the cause (and the client backs off), so an account that refuses
 * everything is not hammered at full rate.
 */
const MAX_BACKGROUND = 0.6;
/** Cuts for 429s that began at a steady rate go no deeper than this share of that rate. */
const ONSET_FLOOR = 0.25;

export interface ThrottleTuning {
	/** Answers that make a sample: before a cut (at the old rate) and after it. */
	sampleAnswers: number;
	/** A sample may end this early when it already shows a share clearly above the background. */
	earlyAnswers: number;
	/** A cut is judged no sooner than this after it, and no later than `judgeMaxMs`. */
	judgeMs: number;
	judgeMaxMs: number;
	/**
	 * The background is checked by a cut this long after it was learned, then twice as long after
	 * each check that confirms it (a share of 429s taken for background while other processes
	 * started sending would otherwise stay).
	 */
	verifyMs: number;
	/** A cut keeps (1 - excess share of 429s) x this of the rate, within [minCut, maxCut]. */
	cutMargin: number;
	minCut: number;
	maxCut: number;
	/** Cuts are randomised by ± this share, so processes do not move in lockstep. */
	cutJitter: number;
	/** How many standard errors a fall in the share of 429s must exceed to count. */
	confidence: number;
	/**
	 * … when the sample before the cut was cut short for urgency: it ended because it showed many
	 * 429s, so it tends to show more than there are, and a fall from it is often chance.
	 */
	shortFallConfidence: number;
	/**
	 * … and a rise: above the background, to look again; after a cut, to cut again; after an
	 * undo, to bring the cut back.
	 */
	triggerConfidence: number;
	/** Climb per second, as a share of the maximum, after `calmMs` without a cut that helped. */
	fastClimbShare: number;
	/** Climb per second, as a share of the maximum, within `calmMs` of a cut that helped. */
	slowClimbShare: number;
	calmMs: number;
	/**
	 * … and within this of a cut that helped after 429s that ended a clean stretch (a brake, see
	 * `brake`, or a look): the process whose start brought them is still sending, and a fast
	 * climb would meet it again.
	 */
	brakeCalmMs: number;
	/** Climb steps are randomised by ± this share. */
	climbJitter: number;
	/**
	 * A second 429 within the first `earlyAnswers` of a look that followed a clean stretch of at
	 * least `sampleAnswers` cuts the rate to this share at once (see `brake`).
	 */
	brakeShare: number;
}

/**
 * Chosen with the model in bench/lib/simulate.ts (a 60/s bucket, 100 ms latency): random 429s
 * cost little speed, while two or three processes, or a foreign client, settle under the limit
 * with few 429s. bench/README.md has the model's table.
 */
export const DEFAULT_TUNING: ThrottleTuning = {
	sampleAnswers: 20,
	earlyAnswers: 8,
	judgeMs: 300,
	judgeMaxMs: 2_000,
	verifyMs: 10_000,
	cutMargin: 0.9,
	minCut: 0.3,
	maxCut: 0.85,
	cutJitter: 0.05,
	confidence: 2,
	shortFallConfidence: 2.5,
	triggerConfidence: 2.5,
	fastClimbShare: 0.5,
	slowClimbShare: 0.04,
	calmMs: 4_000,
	brakeCalmMs: 6_000,
	climbJitter: 0.5,
	brakeShare: 0.45,
};

export interface ThrottleOptions {
	now?: Clock;
	wait?: Wait;
	random?: () => number;
	tuning?: ThrottleTuning;
}

interface Sample {
	ok: number;
	throttled: number;
}

const size = (sample: Sample) => sample.ok + sample.throttled;
const share = (sample: Sample) => sample.throttled / Math.max(1, size(sample));

/** The standard error of the difference of two shares of 429s. */
function differenceError(a: Sample, b: Sample): number {
	const pooled = (a.throttled + b.throttled) / Math.max(1, size(a) + size(b));
	const variance = Math.max(pooled * (1 - pooled), 0.02);
	return Math.sqrt(variance * (1 / Math.max(1, size(a)) + 1 / Math.max(1, size(b))));
}

type Phase =
	| { kind: 'steady' }
	/**
	 * A 429 came: collecting a fair sample at the current rate. `onset`: the answers at this rate
	 * before it, 429s included, when nothing was taken for background (to tell whether the 429s
	 * began while the rate stayed the same). `cleanStretch`: the answers since the 429 before it.
	 */
	| { kind: 'look'; verify: boolean; onset?: Sample; cleanStretch: number }
	/** Collecting answers at the rate after a cut, to compare with those before it. */
	| {
			kind: 'judge';
			before: Sample;
			cutAt: number;
			rateBefore: number;
			/** The rate before the first of these cuts, and whether any of them helped. */
			startRate: number;
			helped: boolean;
			onset?: Sample;
			/** The after-cut sample was checked for 429s that the cut left (see judge). */
			onsetChecked?: boolean;
			/** A brake: answers to requests sent before it still count as `before`. */
			braked?: boolean;
			/** How long the climb stays slow once a cut of this series helped. */
			calmMs: number;
	  }
	/**
	 * A cut that did not help was undone: collecting answers at the restored rate, to compare
	 * with those at the cut rate (`atCut`).
	 */
	| { kind: 'recheck'; atCut: Sample; cutRate: number; undoneAt: number };

/**
 * The pace of one Appcues account in this process, shared by every execution and node that
 * calls it (see accountBudget.ts): each request leaves through `acquire` (the Pacer: never more
 * than the limit in any one second) and reports its answer with `onAnswer`.
 *
 * Where Appcues sends rate-limit headers the throttle paces to them: their limit is the rate,
 * and nothing leaves while they say the budget is spent. Elsewhere 429s are the only signal, and
 * it learns what they mean. After a 429 it takes a sample of answers at the current rate, cuts
 * the rate by the share of 429s in it (above the background), and compares the share after the
 * cut with the share before. If the share fell clearly, the 429s came from overload: the cut
 * stands (and is repeated while the share stays above the background), and the rate climbs back
 * slowly. If it did not fall, the 429s are not caused by the rate (a proxy, a noisy neighbour,
 * load shedding): the cut is undone and that share becomes the background, which the throttle
 * then ignores until the share rises clearly above it. Two exceptions keep processes that share
 * an account (queue-mode workers) from taking each other's overload for background: 429s that
 * began while the rate stayed the same are load from elsewhere, which a cut too small (another
 * process cut at the same time) did not end, so the cuts go on; and a share that rises clearly
 * once a cut is undone brings the cut back. Such load is also met at once: two 429s close
 * together after a clean stretch cut the rate below half without waiting for a sample, and the
 * climb after such a cut stays slow for longer. The client retries refused requests either way.
 * Cut sizes and climb steps are randomised so that processes seeing the same 429s do not move in
 * lockstep.
 */
export class Throttle {
	private readonly pacer: Pacer;

	private readonly now: Clock;

	private readonly random: () => number;

	private readonly tuning: ThrottleTuning;

	/** The most Appcues allows: the budget's limit, or a lower limit its headers gave. */
	private ceiling: number;

	private rate: number;

	/** Share of 429s taken as background: not caused by the rate. */
	private background = 0;

	private phase: Phase = { kind: 'steady' };

	/** Answers to requests sent since `rateSince` (the last change of rate; a look restarts it). */
	private sample: Sample = { ok: 0, throttled: 0 };

	private rateSince = Number.NEGATIVE_INFINITY;

	/**
	 * Answers since the last 429 or change of rate (a climb keeps it): not the sample's count of
	 * 429s, which only ever halves an old one, never to none.
	 */
	private cleanAnswers = 0;

	/** The climb stays slow until then (a cut that helped). */
	private calmUntil = Number.NEGATIVE_INFINITY;

	/** When to check the background by a cut, and the wait before the next check. */
	private verifyAt = Number.POSITIVE_INFINITY;

	private verifyEveryMs: number;

	/** Last time a slot was taken or an answer reported: the registry drops idle throttles. */
	lastUsedAt: number;

	constructor(
		readonly limit: number,
		options: ThrottleOptions = {},
	) {
		this.now = options.now ?? Date.now;
		this.random = options.random ?? Math.random;
		this.tuning = options.tuning ?? DEFAULT_TUNING;
		this.pacer = new Pacer(limit, this.now, options.wait ?? sleep);
		this.ceiling = limit;
		this.rate = limit;
		this.verifyEveryMs = this.tuning.verifyMs;
		this.lastUsedAt = this.now();
	}

	get currentRate(): number {
		return this.rate;
	}

	/** The share of 429s the throttle takes as background. */
	get backgroundShare(): number {
		return this.background;
	}

	/** Waits for the next slot; hand it back with onAnswer. */
	async acquire(): Promise<Slot> {
		this.lastUsedAt = this.now();
		return await this.pacer.acquire();
	}

	/**
	 * Appcues answered the request sent in `slot`: `throttled` for a 429, with the rate-limit
	 * headers of the answer when it had any.
	 */
	onAnswer(slot: Slot, throttled: boolean, headers?: RateLimitHeaders): void {
		const now = this.now();
		this.lastUsedAt = now;
		this.pacer.settle(slot, now);
		const sentAt = slot.at;
		if (headers && this.paceToHeaders(headers, throttled, now)) return;
		if (sentAt < this.rateSince) {
			// The requests under way when a brake came complete the sample of the rate before it.
			if (this.phase.kind === 'judge' && this.phase.braked) {
				if (throttled) this.phase.before.throttled++;
				else this.phase.before.ok++;
			}
			// Otherwise an answer to a request sent at an earlier rate says nothing about this one.
			return;
		}
		if (throttled) this.sample.throttled++;
		else this.sample.ok++;
		const cleanStretch = this.cleanAnswers;
		this.cleanAnswers = throttled ? 0 : cleanStretch + 1;

		switch (this.phase.kind) {
			case 'steady':
				if (throttled && this.aboveBackground()) this.look(false, cleanStretch);
				else if (this.background > 0 && now >= this.verifyAt) this.look(true, cleanStretch);
				else if (!throttled) this.climb(now);
				this.forget();
				return;
			case 'look':
				this.lookAt(this.phase, throttled, now);
				return;
			case 'judge':
				this.judge(this.phase, now);
				return;
			case 'recheck':
				this.recheck(this.phase, now);
		}
	}

	/** Headers say what the budget is: follow them. True when they settled the answer. */
	private paceToHeaders(headers: RateLimitHeaders, throttled: boolean, now: number): boolean {
		if (headers.limit !== undefined && headers.limit > 0) {
			const ceiling = Math.min(this.limit, headers.limit);
			if (ceiling !== this.ceiling || this.rate !== ceiling) {
				this.ceiling = ceiling;
				this.phase = { kind: 'steady' };
				this.pacer.setLimit(ceiling);
				this.setRate(ceiling, now);
			}
		}
		if (headers.remaining !== undefined && headers.remaining <= 0) {
			// Never longer than the longest retry wait: the hold stops every execution of the account.
			const until = headers.resetAt ?? now + (headers.retryAfterMs ?? 0);
			this.pacer.holdUntil(Math.min(until, now + LONGEST_HOLD_MS));
			return true;
		}
		if (!throttled) return headers.limit !== undefined;
		// A 429 while the budget has room (a concurrency limit) says nothing about the rate.
		if (headers.remaining !== undefined) return true;
		if (headers.concurrencyLimit !== undefined)
			return (headers.concurrencyUsed ?? 0) >= headers.concurrencyLimit;
		return false;
	}

	/** Could the 429s in the sample be background alone? Any 429 counts while there is none. */
	private aboveBackground(): boolean {
		if (this.background === 0) return true;
		const n = size(this.sample);
		if (n < this.tuning.sampleAnswers) return false;
		const error = Math.sqrt((this.background * (1 - this.background)) / n);
		return share(this.sample) > this.background + this.tuning.triggerConfidence * error;
	}

	/** Already clearly above the background, before a whole sample is in (a cut is urgent). */
	private clearlyAbove(sample: Sample): boolean {
		const n = size(sample);
		if (n < this.tuning.earlyAnswers) return false;
		const observed = share(sample);
		const error = Math.sqrt(Math.max(observed * (1 - observed), 0.02) / n);
		return observed - this.tuning.confidence * error > this.background;
	}

	private atBackground(sample: Sample): boolean {
		const error = Math.sqrt(Math.max(this.background, 0.02) / Math.max(1, size(sample)));
		return share(sample) <= this.background + this.tuning.confidence * error;
	}

	/**
	 * Two 429s close together after a clean stretch: load came from elsewhere (another worker
	 * starting, a foreign client, a lower limit), and every answer a full look waits for at this
	 * rate is a share of 429s more. Cut at once to brakeShare (two processes that start together
	 * each need about half), then judge the cut as any other; random 429s rarely come in such a
	 * pair after a clean stretch, and a brake that did not help is undone like any cut.
	 */
	private brake(onset: Sample | undefined, now: number): void {
		const factor = this.tuning.brakeShare * this.jitter(this.tuning.cutJitter);
		this.phase = {
			kind: 'judge',
			before: { ...this.sample },
			cutAt: now,
			rateBefore: this.rate,
			startRate: this.rate,
			helped: false,
			onset,
			braked: true,
			calmMs: this.tuning.brakeCalmMs,
		};
		this.setRate(this.rate * factor, now);
	}

	/** During a look: brake, cut or settle once the sample says enough. */
	private lookAt(phase: Extract<Phase, { kind: 'look' }>, throttled: boolean, now: number): void {
		const afterClean = this.endedCleanStretch(phase);
		if (throttled && afterClean && size(this.sample) <= this.tuning.earlyAnswers) {
			this.brake(phase.onset, now);
			return;
		}
		if (size(this.sample) >= this.tuning.sampleAnswers || this.clearlyAbove(this.sample))
			this.cutOrSettle(this.sample, now, phase.verify, {
				startRate: this.rate,
				helped: false,
				onset: phase.onset,
				// 429s after a clean stretch: load from elsewhere, as for a brake.
				calmMs: afterClean ? this.tuning.brakeCalmMs : this.tuning.calmMs,
			});
	}

	/** Did the 429 that began a look end a clean stretch: a whole sample at this rate without one? */
	private endedCleanStretch(phase: Extract<Phase, { kind: 'look' }>): boolean {
		return phase.onset !== undefined && phase.cleanStretch >= this.tuning.sampleAnswers;
	}

	/** A factor within 1 ± `share`, at random. */
	private jitter(share: number): number {
		return 1 + (2 * this.random() - 1) * share;
	}

	private look(verify: boolean, cleanStretch: number): void {
		const onset =
			!verify && this.background === 0
				? { ok: this.sample.ok, throttled: Math.max(0, this.sample.throttled - 1) }
				: undefined;
		this.phase = { kind: 'look', verify, onset, cleanStretch };
		this.sample = { ok: 0, throttled: 0 };
	}

	/** After a fair sample: cut by the share of 429s above the background, or settle. */
	private cutOrSettle(
		before: Sample,
		now: number,
		verify = false,
		series: { startRate: number; helped: boolean; onset?: Sample; calmMs?: number } = {
			startRate: this.rate,
			helped: false,
		},
	): void {
		if ((!verify && this.atBackground(before)) || this.rate <= MIN_RATE) {
			// A false alarm: the share is within the background's noise, which it refines.
			if (this.background > 0 && size(before) >= this.tuning.sampleAnswers)
				this.background = (this.background + share(before)) / 2;
			this.phase = { kind: 'steady' };
			return;
		}
		const { cutMargin, minCut, maxCut, cutJitter } = this.tuning;
		// A check of the background cuts as if all of its 429s came from overload.
		const excess = share(before) - (verify ? 0 : this.background);
		const factor =
			Math.min(maxCut, Math.max(minCut, (1 - excess) * cutMargin)) * this.jitter(cutJitter);
		this.phase = {
			kind: 'judge',
			before,
			cutAt: now,
			rateBefore: this.rate,
			startRate: series.startRate,
			helped: series.helped,
			onset: series.onset,
			calmMs: series.calmMs ?? this.tuning.calmMs,
		};
		this.setRate(this.rate * factor, now);
	}

	/** Did the last cut lower the share of 429s? */
	private judge(phase: Extract<Phase, { kind: 'judge' }>, now: number): void {
		const after = this.sample;
		const n = size(after);
		if (n < this.tuning.sampleAnswers || now - phase.cutAt < this.tuning.judgeMs) return;
		const fall = share(phase.before) - share(after);
		const error = differenceError(phase.before, after);
		const shortBefore = size(phase.before) < this.tuning.sampleAnswers;
		const { confidence, shortFallConfidence } = this.tuning;
		if (fall > (shortBefore ? shortFallConfidence : confidence) * error) {
			// A fall from a sample cut short for urgency is also confirmed on twice the answers (or
			// after judgeMaxMs).
			if (
				shortBefore &&
				n < 2 * this.tuning.sampleAnswers &&
				now - phase.cutAt < this.tuning.judgeMaxMs
			)
				return;
			// The 429s came from our rate: the cut stands, and another follows while above background.
			// (A sample cut short for urgency may have been a fluke: then the climb stays fast.)
			if (this.background === 0 || !shortBefore) this.calmUntil = now + phase.calmMs;
			if (this.background > 0) {
				// What was taken for background was overload after all.
				this.dropBackground();
			}
			this.cutOrSettle(after, now, false, { ...phase, helped: true });
			return;
		}
		if (-fall > this.tuning.triggerConfidence * error) {
			// Clearly more 429s after the cut: more traffic from elsewhere, not background. (As strict
			// as any rise above the background: 20 answers at a background of 30 % often show 50 %.)
			this.cutOrSettle(after, now, false, phase);
			return;
		}
		// 429s that began after a long clean stretch at this rate and are still clearly there after
		// the cut: load from elsewhere that the cut was too small for. Cut again now rather than
		// after judging for up to judgeMaxMs, over the limit all the while. Checked once per cut, so
		// a background share that happened to begin late is not tested again and again.
		if (!phase.onsetChecked) {
			phase.onsetChecked = true;
			const longOnset = (phase.onset ? size(phase.onset) : 0) >= 2 * this.tuning.sampleAnswers;
			if (longOnset && this.beganAtSameRate(phase, after)) {
				this.cutOrSettle(after, now, false, phase);
				return;
			}
		}
		// Not clear yet: more answers (within limits, at a low rate they come slowly). After a sample
		// cut short, one sample's worth shows no fall as well as two would: the comparison's error is
		// mostly that of the few answers before the cut, and the cut rate costs every second.
		const enoughAnswers = (shortBefore ? 1 : 2) * this.tuning.sampleAnswers;
		const enough = n >= enoughAnswers && fall < error;
		const most = n >= 4 * this.tuning.sampleAnswers || now - phase.cutAt >= this.tuning.judgeMaxMs;
		if (!enough && !most) return;
		// Cutting did not lower the share: those 429s are background (the lower of the two shares:
		// one that was still rising is not all background). Undo the cuts that did not help.
		const background = Math.min(share(phase.before), share(after));
		const lower = share(phase.before) <= share(after) ? phase.before : after;
		if (background > MAX_BACKGROUND || this.beganAtSameRate(phase, lower)) {
			this.cutOrSettle(after, now, false, phase);
			return;
		}
		this.background = background;
		this.phase = { kind: 'recheck', atCut: after, cutRate: this.rate, undoneAt: now };
		this.verifyAt = now + this.verifyEveryMs;
		this.verifyEveryMs = Math.min(2 * this.verifyEveryMs, 60_000);
		this.setRate(phase.helped ? phase.rateBefore : phase.startRate, now);
	}

	/**
	 * Did the 429s begin while the rate stayed the same (the answers before the first of them
	 * had clearly fewer)? A background would have shown from the start: this is load that came
	 * from elsewhere (another process, a foreign client, a lower limit), which a cut of the size
	 * taken may not have been enough to lower, so the cuts go on (down to ONSET_FLOOR of the
	 * rate the series started at, below which the 429s are taken as background after all).
	 */
	private beganAtSameRate(phase: Extract<Phase, { kind: 'judge' }>, lower: Sample): boolean {
		const { onset } = phase;
		if (!onset || this.rate <= phase.startRate * ONSET_FLOOR) return false;
		const rise = share(lower) - share(onset);
		return rise > this.tuning.confidence * differenceError(onset, lower);
	}

	/**
	 * After an undo: did raising the rate again raise the share of 429s? Then they depend on the
	 * rate after all (another process that cut at the same time hid the effect of the cut), so
	 * the cut rate comes back and nothing is background. Otherwise the background stands.
	 */
	private recheck(phase: Extract<Phase, { kind: 'recheck' }>, now: number): void {
		const restored = this.sample;
		const n = size(restored);
		if (n < this.tuning.sampleAnswers || now - phase.undoneAt < this.tuning.judgeMs) return;
		const rise = share(restored) - share(phase.atCut);
		// As strict as the rise that makes the throttle look again: a background share of 30 %
		// often shows 50 % in 20 answers, and taking that for overload would keep the cut.
		if (rise > this.tuning.triggerConfidence * differenceError(phase.atCut, restored)) {
			this.dropBackground();
			this.calmUntil = now + this.tuning.calmMs;
			this.phase = { kind: 'steady' };
			this.setRate(phase.cutRate, now);
			return;
		}
		if (n >= 2 * this.tuning.sampleAnswers) this.phase = { kind: 'steady' };
	}

	private climb(now: number): void {
		if (this.rate >= this.ceiling) return;
		const calm = now >= this.calmUntil;
		const perSecond =
			this.ceiling * (calm ? this.tuning.fastClimbShare : this.tuning.slowClimbShare);
		const step = (perSecond / this.rate) * this.jitter(this.tuning.climbJitter);
		// A climb keeps the sample: answers at a slightly lower rate still count.
		this.rate = Math.min(this.ceiling, this.rate + step);
		this.pacer.setRate(this.rate);
	}

	/**
	 * Keeps the steady sample recent (older answers weigh less and less) and lowers the background
	 * when the share of 429s falls below it; it rises only when a cut shows it did not help. A
	 * background below one 429 in the answers this looks at is none: halving would only bring it
	 * ever closer to zero, and while it lasts a new series of 429s is not told apart as load from
	 * elsewhere and refused requests are retried without backing off.
	 */
	private forget(): void {
		const n = size(this.sample);
		const looksAt = 4 * this.tuning.sampleAnswers;
		if (n < looksAt) return;
		const observed = share(this.sample);
		const error = Math.sqrt((this.background * (1 - this.background)) / n);
		if (this.background > 0 && observed <= this.background + error) {
			this.background = (this.background + observed) / 2;
			if (this.background < 1 / looksAt) this.dropBackground();
		}
		this.sample = { ok: this.sample.ok / 2, throttled: this.sample.throttled / 2 };
	}

	private dropBackground(): void {
		this.background = 0;
		this.verifyAt = Number.POSITIVE_INFINITY;
		this.verifyEveryMs = this.tuning.verifyMs;
	}

	private setRate(rate: number, now: number): void {
		this.rate = Math.max(Math.min(MIN_RATE, this.ceiling), Math.min(this.ceiling, rate));
		this.pacer.setRate(this.rate);
		this.sample = { ok: 0, throttled: 0 };
		this.cleanAnswers = 0;
		this.rateSince = now;
	}
}

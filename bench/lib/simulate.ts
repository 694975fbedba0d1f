/**
 * A virtual-time model of clients sharing one Appcues account: the real Throttle (one per
 * process, shared by that process's executions) and Pacer (a node's Max Requests per Second),
 * the client's retry rule for 429 (transport/retry.ts: a short random wait, Max Retries x 3),
 * per-execution concurrency, Appcues' limit as a token bucket holding one second of traffic
 * (checked when the request arrives, after the latency), random 429s, a foreign client sending
 * at a fixed rate, a limit that changes during the run, and optionally rate-limit headers on
 * every answer (as Appcues' analytics routes send them). No real time passes, so a run takes
 * milliseconds and is the same for the same seed: unit tests use it to hold the throttle to its
 * targets, and `npm run bench:model` prints its table.
 */
import { Pacer } from '../../nodes/Appcues/transport/pacer';
import type { RateLimitHeaders } from '../../nodes/Appcues/transport/rateLimitHeaders';
import {
	DEFAULT_RETRY_POLICY,
	THROTTLED_RETRY_FACTOR,
	throttledRetryDelayMs,
} from '../../nodes/Appcues/transport/retry';
import { Throttle, type ThrottleTuning } from '../../nodes/Appcues/transport/throttle';

export interface SimExecution {
	/** Executions with the same process share one Throttle (one n8n process). */
	process: number;
	items: number;
	concurrency?: number;
	/** Virtual ms at which the execution starts. */
	startAt?: number;
	/** A node-level cap (Max Requests per Second), below the account's. */
	nodeRate?: number;
}

export interface SimOptions {
	executions: SimExecution[];
	/** Appcues' limit per second (60), or its changes over time: [[fromMs, limit], …]. */
	limit?: number | Array<[number, number]>;
	latencyMs?: number;
	/** Each request reaches Appcues up to this much later than sent (uniformly at random). */
	jitterMs?: number;
	/**
	 * Executions after the first start up to this much later than their `startAt` (uniformly at
	 * random): processes that do not start in lockstep, as queue-mode workers do.
	 */
	startSpreadMs?: number;
	/** A foreign client sending this many requests per second, regardless of answers. */
	foreignRate?: number;
	/** Probability of a random 429 on any of our requests. */
	faultProbability?: number;
	/** Every answer carries X-RateLimit-Limit, -Remaining and -Reset. */
	headers?: boolean;
	seed?: number;
	tuning?: ThrottleTuning;
	/** A 429 is retried this often at most (default: the client's, Max Retries x 3). */
	maxThrottledRetries?: number;
}

export interface SimResult {
	requests: number;
	throttled: number;
	written: number;
	writtenTwice: number;
	lost: number;
	/** First request to last answer of our executions, ms. */
	spanMs: number;
	updatesPerSecond: number;
	foreignOk: number;
	foreignThrottled: number;
	perExecutionMs: number[];
	/** Most of our requests that reached Appcues within one second (all processes). */
	peakPerSecond: number;
	/** Most requests one process sent within one second. */
	peakSentPerSecond: number;
}

class VirtualTime {
	now = 0;
	private seq = 0;
	private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];

	sleep = (ms: number): Promise<void> =>
		new Promise((resolve) => {
			this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq++, resolve });
		});

	async run(done: () => boolean): Promise<void> {
		while (!done()) {
			await new Promise((resolve) => setImmediate(resolve));
			if (!this.timers.length) continue;
			let best = 0;
			for (let i = 1; i < this.timers.length; i++) {
				const a = this.timers[i];
				const b = this.timers[best];
				if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
			}
			const [timer] = this.timers.splice(best, 1);
			this.now = Math.max(this.now, timer.at);
			timer.resolve();
		}
	}
}

export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** The most of the sorted `times` within any window of `windowMs`. */
export function mostWithin(times: number[], windowMs: number): number {
	let most = 0;
	for (let i = 0, j = 0; i < times.length; i++) {
		while (times[i] - times[j] >= windowMs) j++;
		most = Math.max(most, i - j + 1);
	}
	return most;
}

export async function simulate(options: SimOptions): Promise<SimResult> {
	const schedule: Array<[number, number]> =
		typeof options.limit === 'object' ? options.limit : [[0, options.limit ?? 60]];
	const limitAt = (at: number) => schedule.filter(([from]) => from <= at).at(-1)?.[1] ?? 60;
	const latency = options.latencyMs ?? 100;
	const random = mulberry32(options.seed ?? 1);
	const time = new VirtualTime();
	const maxThrottledRetries =
		options.maxThrottledRetries ?? DEFAULT_RETRY_POLICY.maxRetries * THROTTLED_RETRY_FACTOR;

	const bucket = { tokens: limitAt(0), at: 0 };
	const refill = () => {
		const limit = limitAt(time.now);
		bucket.tokens = Math.min(limit, bucket.tokens + ((time.now - bucket.at) / 1000) * limit);
		bucket.at = time.now;
		return limit;
	};
	const allow = () => {
		refill();
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	};
	/** X-RateLimit-* as the fake sends them: Reset is when the bucket is full, in whole seconds. */
	const headers = (): RateLimitHeaders => {
		const limit = refill();
		return {
			limit,
			remaining: Math.max(0, Math.floor(bucket.tokens)),
			resetAt: Math.ceil((time.now + ((limit - bucket.tokens) / limit) * 1000) / 1000) * 1000,
		};
	};

	const budgets = new Map<number, Throttle>();
	const sentBy = new Map<number, number[]>();
	const budgetFor = (process: number) => {
		let throttle = budgets.get(process);
		if (!throttle) {
			throttle = new Throttle(60, {
				now: () => time.now,
				wait: time.sleep,
				random: mulberry32((options.seed ?? 1) * 7919 + process),
				tuning: options.tuning,
			});
			budgets.set(process, throttle);
			sentBy.set(process, []);
		}
		return throttle;
	};

	let requests = 0;
	let throttled = 0;
	let firstRequestAt = Number.POSITIVE_INFINITY;
	let lastAnswerAt = 0;
	const arrivals: number[] = [];
	const writes = new Map<string, number>();
	let lost = 0;
	let running = options.executions.length;

	const runExecution = async (execution: SimExecution, index: number): Promise<number> => {
		const spread = index > 0 && options.startSpreadMs ? random() * options.startSpreadMs : 0;
		await time.sleep((execution.startAt ?? 0) + spread);
		const startedAt = time.now;
		const budget = budgetFor(execution.process);
		const nodeCap =
			execution.nodeRate && execution.nodeRate < 60
				? new Pacer(execution.nodeRate, () => time.now, time.sleep)
				: undefined;
		let next = 0;
		const worker = async () => {
			while (next < execution.items) {
				const item = `${index}:${next++}`;
				for (let attempt = 0; ; attempt++) {
					const nodeSlot = await nodeCap?.acquire();
					const slot = await budget.acquire();
					sentBy.get(execution.process)!.push(slot.at);
					requests++;
					firstRequestAt = Math.min(firstRequestAt, time.now);
					await time.sleep(latency + (options.jitterMs ? random() * options.jitterMs : 0));
					arrivals.push(time.now);
					const ok = !(options.faultProbability && random() < options.faultProbability) && allow();
					lastAnswerAt = Math.max(lastAnswerAt, time.now);
					if (nodeSlot) nodeCap?.settle(nodeSlot, time.now);
					budget.onAnswer(slot, !ok, options.headers ? headers() : undefined);
					if (ok) {
						writes.set(item, (writes.get(item) ?? 0) + 1);
						break;
					}
					throttled++;
					if (attempt >= maxThrottledRetries) {
						lost++;
						break;
					}
					const background = budget.backgroundShare > 0;
					await time.sleep(
						throttledRetryDelayMs(attempt, DEFAULT_RETRY_POLICY, undefined, background, random),
					);
				}
			}
		};
		// As the node's workers: each starts a turn of the event loop (1 ms) after the one before.
		const workers: Array<Promise<void>> = [];
		const concurrency = Math.min(execution.concurrency ?? 10, execution.items);
		for (let started = 0; started < concurrency; started++) {
			if (started > 0) await time.sleep(1);
			workers.push(worker());
		}
		await Promise.all(workers);
		return time.now - startedAt;
	};

	let foreignOk = 0;
	let foreignThrottled = 0;
	const foreign = async () => {
		if (!options.foreignRate) return;
		const interval = 1000 / options.foreignRate;
		while (running > 0) {
			await time.sleep(interval);
			if (allow()) foreignOk++;
			else foreignThrottled++;
		}
	};

	const all = Promise.all(
		options.executions.map((execution, i) => runExecution(execution, i).finally(() => running--)),
	);
	void foreign();
	let perExecutionMs: number[] = [];
	let finished = false;
	void all.then((values) => {
		perExecutionMs = values;
		finished = true;
	});
	await time.run(() => finished);

	const written = writes.size;
	const spanMs = lastAnswerAt - firstRequestAt;
	arrivals.sort((a, b) => a - b);
	return {
		requests,
		throttled,
		written,
		writtenTwice: [...writes.values()].filter((count) => count > 1).length,
		lost,
		spanMs,
		updatesPerSecond: written / (spanMs / 1000),
		foreignOk,
		foreignThrottled,
		perExecutionMs,
		peakPerSecond: mostWithin(arrivals, 1000),
		peakSentPerSecond: Math.max(...[...sentBy.values()].map((times) => mostWithin(times, 1000))),
	};
}

/**
 * A virtual-time model of clients sharing one Appcues account: the real Throttle class, the
 * client's retry rule for 429 (full jitter below 250 ms x 2^n), per-execution concurrency, the
 * fake's token bucket (capacity one second, checked after the latency) and an optional foreign
 * client sending at a fixed rate. No real time passes, so it runs in milliseconds and is
 * deterministic for a given seed: the unit tests use it to show that independent processes
 * converge, and it helps choose the throttle's constants.
 */
import { Throttle, type ThrottleTuning } from '../../nodes/Appcues/transport/throttle';

export interface SimExecution {
	/** Processes with the same budget share one Throttle (one n8n process). */
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
	limit?: number;
	latencyMs?: number;
	/** A foreign client sending this many requests per second, regardless of answers. */
	foreignRate?: number;
	/** Probability of a random 429 on any of our requests. */
	faultProbability?: number;
	seed?: number;
	tuning?: ThrottleTuning;
	/** A 429 is retried this often at most (the client: Max Retries x 3). */
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

function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export async function simulate(options: SimOptions): Promise<SimResult> {
	const limit = options.limit ?? 60;
	const latency = options.latencyMs ?? 100;
	const random = mulberry32(options.seed ?? 1);
	const time = new VirtualTime();
	const maxThrottledRetries = options.maxThrottledRetries ?? 15;

	const bucket = { tokens: limit, at: 0 };
	const allow = () => {
		bucket.tokens = Math.min(limit, bucket.tokens + ((time.now - bucket.at) / 1000) * limit);
		bucket.at = time.now;
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	};

	const budgets = new Map<number, Throttle>();
	const budgetFor = (process: number) => {
		let throttle = budgets.get(process);
		if (!throttle) {
			throttle = new Throttle(limit, () => time.now, time.sleep, options.tuning);
			budgets.set(process, throttle);
		}
		return throttle;
	};

	let requests = 0;
	let throttled = 0;
	let firstRequestAt = Number.POSITIVE_INFINITY;
	let lastAnswerAt = 0;
	const writes = new Map<string, number>();
	let lost = 0;
	let running = options.executions.length;

	const runExecution = async (execution: SimExecution, index: number): Promise<number> => {
		await time.sleep(execution.startAt ?? 0);
		const startedAt = time.now;
		const budget = budgetFor(execution.process);
		const nodeCap =
			execution.nodeRate && execution.nodeRate < limit
				? new Throttle(execution.nodeRate, () => time.now, time.sleep)
				: undefined;
		let next = 0;
		const worker = async () => {
			while (next < execution.items) {
				const item = `${index}:${next++}`;
				for (let attempt = 0; ; attempt++) {
					if (nodeCap) await nodeCap.acquire();
					const sentAt = await budget.acquire();
					requests++;
					firstRequestAt = Math.min(firstRequestAt, time.now);
					await time.sleep(latency);
					const ok = !(options.faultProbability && random() < options.faultProbability) && allow();
					lastAnswerAt = Math.max(lastAnswerAt, time.now);
					if (ok) {
						budget.onSuccess();
						writes.set(item, (writes.get(item) ?? 0) + 1);
						break;
					}
					throttled++;
					budget.onThrottled(sentAt);
					if (attempt >= maxThrottledRetries) {
						lost++;
						break;
					}
					await time.sleep(Math.floor(random() * Math.min(30_000, 250 * 2 ** attempt)));
				}
			}
		};
		await Promise.all(
			Array.from({ length: Math.min(execution.concurrency ?? 10, execution.items) }, worker),
		);
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
	};
}

import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Benchmark settings, each from a command-line flag or else an environment variable. */

/** A number >= 0 from `flag`, else the environment variable `env`, else `fallback`. */
export function numberSetting(flag: string | undefined, env: string, fallback: number): number {
	const value = Number(flag ?? process.env[env] ?? fallback);
	if (!Number.isFinite(value) || value < 0)
		throw new Error(`bad value for ${env}: ${flag ?? process.env[env]}`);
	return value;
}

/** A whole number >= 1 (runs, items, …), read as numberSetting reads it. */
export function countSetting(flag: string | undefined, env: string, fallback: number): number {
	return Math.max(1, Math.floor(numberSetting(flag, env, fallback)));
}

/** The settings of every n8n benchmark against the fake, as parseArgs options. */
export const COMMON_FLAGS = {
	runs: { type: 'string' },
	items: { type: 'string' },
	rate: { type: 'string' },
	latency: { type: 'string' },
	package: { type: 'string' },
} as const;

/**
 * --runs / BENCH_RUNS (3), --items / BENCH_ITEMS (300), --rate / BENCH_RATE (the fake's limit,
 * 60/s), --latency / BENCH_LATENCY (100 ms added by the fake) and --package / BENCH_PACKAGE (an
 * `npm pack` tarball to measure instead of this repository's dist/).
 */
export function commonSettings(flags: {
	runs?: string;
	items?: string;
	rate?: string;
	latency?: string;
	package?: string;
}) {
	// Named as the constants each benchmark reads them into.
	return {
		RUNS: countSetting(flags.runs, 'BENCH_RUNS', 3),
		ITEMS: countSetting(flags.items, 'BENCH_ITEMS', 300),
		RATE: numberSetting(flags.rate, 'BENCH_RATE', 60),
		LATENCY_MS: numberSetting(flags.latency, 'BENCH_LATENCY', 100),
		PACKAGE_TGZ: flags.package ?? process.env.BENCH_PACKAGE,
	};
}

/** Progress lines on stderr (the report goes to stdout), with the time of day. */
export function progressLog(prefix: string) {
	return (message: string) =>
		process.stderr.write(`[${prefix} ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Waits until the 1-minute load average is below QUIET_LOAD (0.8), at most 10 minutes, so that
 * what ran before (an n8n starting, the step before) does not weigh on the figures.
 */
export async function waitForQuiet(log: (message: string) => void): Promise<void> {
	const quietLoad = Number(process.env.QUIET_LOAD ?? 0.8);
	const maxWaitMs = 600_000;
	const started = Date.now();
	while (loadavg()[0] >= quietLoad) {
		if (Date.now() - started >= maxWaitMs) {
			log(`load still ${loadavg()[0].toFixed(2)} after ${maxWaitMs / 1000} s: starting anyway`);
			return;
		}
		await sleep(10_000);
	}
	log(
		`load ${loadavg()[0].toFixed(2)} after ${Math.round((Date.now() - started) / 1000)} s of waiting`,
	);
}

/**
 * Queue-mode throughput (`npm run bench:queue`): two executions of the
 * 300-item Update Profile workflow started at once on the two workers of an n8n 2.41.1 queue-mode
 * topology (test/e2e/lib/queue.ts: Redis, PostgreSQL, main, 2 workers, webhook processor), both
 * against one Appcues account of the fake (100 ms latency, one 60/s token bucket per account, no
 * Retry-After). Each worker is its own process with its own throttle, so the account sees both.
 *
 *   npm run bench:queue                                   # 3 runs, medians
 *   node --import tsx bench/queue-throughput.ts --runs 1  # dist/ built already
 *
 * Options (flag or env): --runs / BENCH_RUNS (3), --items / BENCH_ITEMS (300 per execution),
 * --rate / BENCH_RATE (60), --latency / BENCH_LATENCY (100), --concurrency / BENCH_CONCURRENCY
 * (`n8n worker --concurrency`, default 1: a worker busy with one execution leaves the second to
 * the other worker, so both run at once; with 10 one worker may take both, which is reported),
 * --package / BENCH_PACKAGE (a tarball to measure instead of this repository's dist/), --save
 * (write bench/results/queue-2.41.1.json for bench/README.md).
 *
 * Each round also runs a baseline in the same topology: one execution alone on one worker (what
 * one process reaches on this machine at that moment), so a machine-bound result can be told from
 * an account-bound one.
 *
 * Per run: aggregate updates/s = users written / (last Update node end - first Update node
 * start, from the run data), PATCHes sent, 429s and their share, users written more than once,
 * never written, which worker ran each execution, and whether both ended green. Prints figures
 * (markdown report on stdout, progress on stderr); asserts nothing. Exit code 0 when the benchmark
 * itself worked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { join } from 'node:path';

import { appcuesCredentials, SANDBOX_CREDENTIAL } from '../test/e2e/lib/appcues';
import { packPackage, type RunJson, type WorkflowJson } from '../test/e2e/lib/n8n';
import { createQueueTopology, importIntoQueue, type QueueTopology } from '../test/e2e/lib/queue';
import { DEFAULT_ACCOUNT, FakeAppcues } from '../test/fake-appcues/server';
import { fmt, median } from './lib/report';
import { type BenchResult, describeRun, markdownTable, runFacts, saveResult } from './lib/results';
import {
	COMMON_FLAGS,
	commonSettings,
	countSetting,
	progressLog,
	waitForQuiet,
} from './lib/settings';
import {
	analyseProfilePatches,
	appcuesUpdateNode,
	benchUserIds,
	TARGET_NODE,
	updateProfileWorkflow,
} from './lib/update-profile';

const { values: flags } = parseArgs({
	options: { ...COMMON_FLAGS, concurrency: { type: 'string' }, save: { type: 'boolean' } },
});
const { RUNS, ITEMS, RATE, LATENCY_MS, PACKAGE_TGZ } = commonSettings(flags);
const CONCURRENCY = countSetting(flags.concurrency, 'BENCH_CONCURRENCY', 1);
const TARGET_UPDATES_PER_SECOND = 55;
const TARGET_THROTTLED_SHARE = 0.03;
const ACCOUNT_ID = DEFAULT_ACCOUNT.accountId;
const PREFIXES = ['qa', 'qb'];

const log = progressLog('bench:queue');

/** Manual Trigger -> Set (an array of ITEMS users) -> Split Out -> Appcues Update Profile. */
function workflowFor(prefix: string): WorkflowJson & { id: string } {
	return updateProfileWorkflow({
		id: `benchQueue${prefix}`.padEnd(16, '0'),
		name: `Queue bench ${prefix}: ${ITEMS} x Update Profile`,
		items: ITEMS,
		userPrefix: prefix,
		nodeIdPrefix: 'c0000000',
		target: appcuesUpdateNode({ id: SANDBOX_CREDENTIAL.id, name: SANDBOX_CREDENTIAL.name }),
	});
}

interface RunMetrics {
	updatesPerSecond: number;
	windowMs: number;
	requests: number;
	throttled: number;
	throttledShare: number;
	writtenTwice: number;
	neverWritten: number;
	maxRequestsInOneSecond: number;
	workers: string;
	green: boolean;
	error?: string;
}

async function runOnce(
	queue: QueueTopology,
	fake: FakeAppcues,
	prefixes: string[],
): Promise<RunMetrics> {
	const ids = prefixes.map((p) => workflowFor(p).id);
	fake.reset();
	const executionIds = await Promise.all(ids.map((id) => queue.runManual(id)));
	const executions = await Promise.all(
		executionIds.map((id) => queue.waitForExecution(id, 600_000)),
	);
	const workers = await Promise.all(executionIds.map((id) => queue.waitForWorkerFinish(id)));
	const tasks = executions.map((e) =>
		(e.data as RunJson['data'] | undefined)?.resultData.runData[TARGET_NODE]?.at(-1),
	);
	const starts = tasks.map((t) => Number(t?.startTime));
	const ends = tasks.map((t) => Number(t?.startTime) + Number(t?.executionTime));
	const windowMs = Math.max(...ends) - Math.min(...starts);

	const patches = analyseProfilePatches(
		fake.requests,
		prefixes.flatMap((p) => benchUserIds(p, ITEMS)),
		{ accountId: ACCOUNT_ID, rate: RATE, latencyMs: LATENCY_MS },
	);
	const failed = executions.filter((e) => e.status !== 'success');
	return {
		updatesPerSecond: windowMs > 0 ? patches.written / (windowMs / 1000) : NaN,
		windowMs,
		requests: patches.requests,
		throttled: patches.throttled,
		throttledShare: patches.requests ? patches.throttled / patches.requests : 0,
		writtenTwice: patches.writtenTwice,
		neverWritten: patches.neverWritten,
		maxRequestsInOneSecond: patches.maxRequestsInOneSecond,
		workers: workers.map((w) => `worker ${w}`).join(' + '),
		green: failed.length === 0,
		error: failed.length
			? failed
					.map(
						(e) =>
							`execution ${e.id}: ${e.status} ${JSON.stringify(e.data?.resultData.error ?? '').slice(0, 160)}`,
					)
					.join('; ')
			: undefined,
	};
}

async function main() {
	const t0 = Date.now();
	const started = new Date();
	const fake = new FakeAppcues({
		accounts: [DEFAULT_ACCOUNT],
		rateLimitPerSecond: RATE,
		latencyMs: LATENCY_MS,
		recordBodies: false,
	});
	await fake.start();
	const packDir = await mkdtemp(join(tmpdir(), 'bench-queue-'));
	let queue: QueueTopology | undefined;
	try {
		log(
			`n8n 2.41.1 queue mode, 2 workers (--concurrency=${CONCURRENCY}), 2 x ${ITEMS} items, fake: ${LATENCY_MS} ms latency, ${RATE}/s bucket, ${RUNS} run(s)`,
		);
		queue = await createQueueTopology({
			tarball: PACKAGE_TGZ ?? (await packPackage(undefined, packDir)),
			concurrency: CONCURRENCY,
			logLevel: 'info',
		});
		const workflows = PREFIXES.map(workflowFor);
		await importIntoQueue(queue, {
			credentials: appcuesCredentials(fake.url, DEFAULT_ACCOUNT),
			workflows,
		});
		await queue.start();
		const startupMs = Date.now() - t0;
		const memory = await queue.memoryMb();
		log(
			`topology up in ${(startupMs / 1000).toFixed(1)} s; memory (RSS MB) ${JSON.stringify(memory)}`,
		);
		// Four n8n processes starting leave the load high: the runs start once it has fallen.
		await waitForQuiet(log);
		const loadAtStart = loadavg()[0];
		// Rounds interleave the baseline (one execution alone, on one worker) and the case, so drift
		// of a shared machine hits both alike.
		const cases = [
			{
				label: `Two executions of ${ITEMS} at once, one per worker`,
				prefixes: PREFIXES,
				runs: [] as RunMetrics[],
			},
			{
				label: `Baseline: one execution of ${ITEMS} alone on one worker`,
				prefixes: PREFIXES.slice(0, 1),
				runs: [] as RunMetrics[],
			},
		];
		for (let i = 0; i < RUNS; i++) {
			for (const benchCase of cases) {
				const run = await runOnce(queue, fake, benchCase.prefixes);
				benchCase.runs.push(run);
				log(
					`${benchCase.label}, run ${i + 1}: ${run.updatesPerSecond.toFixed(1)} updates/s, ${run.requests} PATCHes, ${run.throttled} x 429 (${(run.throttledShare * 100).toFixed(1)} %), twice ${run.writtenTwice}, never ${run.neverWritten}, peak ${run.maxRequestsInOneSecond}/s, ${run.workers}, ${run.green ? 'green' : `RED ${run.error}`}, load ${loadavg()[0].toFixed(1)}`,
				);
			}
		}
		const m = (runs: RunMetrics[], key: keyof RunMetrics) =>
			median(runs.map((r) => Number(r[key])));
		const [queued, baseline] = cases;
		const rate = m(queued.runs, 'updatesPerSecond');
		const share = m(queued.runs, 'throttledShare');
		const clean = queued.runs.every((r) => r.neverWritten === 0 && r.writtenTwice === 0);
		const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
		const result: BenchResult = {
			id: 'queue-2.41.1',
			benchmark: 'queue',
			title: `Queue mode in n8n 2.41.1: ${ITEMS}-item Update Profile workflows on two workers, fake Appcues with ${LATENCY_MS} ms latency and a ${RATE}/s limit`,
			command: 'npm run bench:queue',
			n8n: '2.41.1',
			runs: RUNS,
			...runFacts(started, loadAtStart),
			table: [
				[
					'Case',
					'Updates/s',
					'Requests',
					'429s',
					'Most in 1 s',
					'Written twice',
					'Never written',
					'Green',
				],
				...cases.map(({ label, runs }) => [
					label,
					fmt(m(runs, 'updatesPerSecond'), 1),
					fmt(m(runs, 'requests')),
					`${fmt(m(runs, 'throttled'))} (${fmt(100 * m(runs, 'throttledShare'), 1)} %)`,
					fmt(m(runs, 'maxRequestsInOneSecond')),
					fmt(m(runs, 'writtenTwice')),
					fmt(m(runs, 'neverWritten')),
					`${runs.filter((r) => r.green).length}/${runs.length}`,
				]),
			],
			notes: [
				`Two workers: ≥ ${TARGET_UPDATES_PER_SECOND} updates/s ${mark(rate >= TARGET_UPDATES_PER_SECOND)} (${fmt(rate, 1)}) with ≤ ${100 * TARGET_THROTTLED_SHARE} % 429s ${mark(share <= TARGET_THROTTLED_SHARE)} (${fmt(100 * share, 1)} %); 0 lost, 0 twice ${mark(clean)}; two workers / one = ${fmt(rate / m(baseline.runs, 'updatesPerSecond'), 2)}.`,
				`Updates/s: users written / (last Update node end − first Update node start, from the run data). Workers run with --concurrency=${CONCURRENCY}; the topology took ${fmt(startupMs / 1000)} s to start and held ${memory.total} MB RSS.`,
			],
		};
		const lines = [
			`### ${result.title}`,
			'',
			describeRun(result),
			'',
			...markdownTable(result.table),
			'',
			...result.notes.map((note) => `- ${note}`),
			...cases.map(
				({ label, runs }) =>
					`- ${label}, per run: ${runs.map((r) => `${r.updatesPerSecond.toFixed(1)}/s in ${(r.windowMs / 1000).toFixed(1)} s, ${r.requests} req, ${r.throttled} x 429, ${r.workers}`).join(' | ')}`,
			),
		];
		if (flags.save) log(`saved ${await saveResult(result)}`);
		process.stdout.write(`${lines.join('\n')}\n`);
	} finally {
		await queue?.stop();
		await fake.close();
		await rm(packDir, { recursive: true, force: true });
		log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`[bench:queue] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});

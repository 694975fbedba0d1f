/**
 * Throughput benchmark (`npm run bench:throughput`, issue 6): per-item profile updates through
 * real n8n (the runtimes of the end-to-end suite) against the fake Appcues API with 100 ms latency
 * and a 60/s token bucket, our node against n8n's own HTTP Request node.
 *
 *   npm run bench:throughput                         # n8n 2.41.1 (Node 24)
 *   npm run bench:throughput -- --n8n 2.8.4          # or BENCH_N8N_VERSION=2.8.4
 *   node --import tsx bench/throughput.ts --runs 1 --cases ours,http-batch   # quicker, dist/ built
 *
 * Options (flag or env): --n8n / BENCH_N8N_VERSION (2.41.1 | 2.8.4), --runs / BENCH_RUNS (3),
 * --items / BENCH_ITEMS (300), --rate / BENCH_RATE (60), --latency / BENCH_LATENCY (100),
 * --fault-probability / BENCH_FAULT_PROBABILITY (0.3), --cases / BENCH_CASES (comma list of case
 * ids, default all), --budget-minutes / BENCH_BUDGET_MINUTES (25: no new run starts after it),
 * --package / BENCH_PACKAGE (an `npm pack` tarball to measure instead of this repository's dist/).
 *
 * Cases: ours, http-default, http-batch (60 items per 1000 ms), ours-faults and
 * http-retry-faults (30 % of PATCHes answered 429 at random; the HTTP node with Retry On Fail,
 * 5 tries, 1 s). Rounds interleave the cases (round 1: every case once, then round 2 …) so drift
 * of the machine hits all cases alike. The fake is reset before every run (reset also clears
 * faults, which are added again).
 *
 * Shared account (issue 11), numbered as in the issue:
 *   burst, burst-noop (1): 300 signed single-event deliveries, 50 in flight, to a published
 *     Appcues Trigger → Update Profile, and the same burst into Trigger → No Operation (n8n's own
 *     pace); time = first delivery sent → last execution stopped (n8n's database).
 *   two-executions (2): two signed deliveries at once, each an array of ITEMS events, into the
 *     same Trigger → Update Profile workflow: two executions in one process.
 *   foreign (4): case ours while bench/lib/foreign-client.ts sends --foreign-rate / BENCH_FOREIGN_RATE
 *     (30) requests per second to the same account.
 *   ours (5): the regression case above.
 * (Case 3, queue mode, is in the queue-mode suite.) burst, burst-noop and two-executions run
 * against one `n8n start` (regular mode, SQLite), after the `n8n execute` cases.
 *
 *   node --import tsx bench/throughput.ts --runs 1 --cases burst,burst-noop,two-executions,foreign,ours
 *
 * Per run: updates/s = users written / the node's executionTime from the run data (= 300 / time
 * when every user was written), wall time of `n8n execute` (CLI boot included), PATCHes sent,
 * 429s answered, users written more than once (more than one 2xx PATCH), users never written, and
 * whether `n8n execute` ended green (exit 0, status success). The table shows medians of 3 runs.
 *
 * Progress goes to stderr; the report (markdown) to stdout. Prints figures; asserts nothing.
 * The exit code is 0 whenever the benchmark itself worked, whether or not targets were met.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
	createN8nSandbox,
	disposeAll,
	N8N_VERSIONS,
	type N8nSandbox,
	type N8nVersion,
	packPackage,
	repoRoot,
	type RunJson,
	type WorkflowJson,
} from '../test/e2e/lib/n8n';
import { WEBHOOK_SECRET } from '../test/e2e/lib/appcues';
import { DEFAULT_ACCOUNT } from '../test/fake-appcues/server';
import {
	dbTime,
	deliver,
	event,
	lastExecutionId,
	startForeignClient,
	triggerWorkflow,
	waitForNewExecutions,
} from './lib/shared-account';
import { type FakeProcess, type RecordedRequestLite, startFakeProcess } from './lib/fake-process';
import { fmt, loadNote, median, seconds } from './lib/report';
import {
	COMMON_FLAGS,
	commonSettings,
	countSetting,
	numberSetting,
	progressLog,
} from './lib/settings';
import {
	analyseProfilePatches,
	appcuesUpdateNode,
	type PatchAnalysis,
	PROPERTIES_EXPRESSION,
	TARGET_NODE,
	type TargetNode,
	updateProfileWorkflow,
	benchUserIds,
} from './lib/update-profile';

// ---------------------------------------------------------------------------------------------
// Settings

const { values: flags } = parseArgs({
	options: {
		...COMMON_FLAGS,
		n8n: { type: 'string' },
		'fault-probability': { type: 'string' },
		cases: { type: 'string' },
		'budget-minutes': { type: 'string' },
		'foreign-rate': { type: 'string' },
		deliveries: { type: 'string' },
		'in-flight': { type: 'string' },
	},
	allowPositionals: false,
});

const VERSION = (flags.n8n ?? process.env.BENCH_N8N_VERSION ?? '2.41.1') as N8nVersion;
if (!N8N_VERSIONS.includes(VERSION)) {
	console.error(`unknown n8n version "${VERSION}"; use one of ${N8N_VERSIONS.join(', ')}`);
	process.exit(2);
}
const { RUNS, ITEMS, RATE, LATENCY_MS, PACKAGE_TGZ } = commonSettings(flags);
const FAULT_PROBABILITY = numberSetting(flags['fault-probability'], 'BENCH_FAULT_PROBABILITY', 0.3);
const BUDGET_MS = numberSetting(flags['budget-minutes'], 'BENCH_BUDGET_MINUTES', 25) * 60_000;
const FOREIGN_RATE = numberSetting(flags['foreign-rate'], 'BENCH_FOREIGN_RATE', 30);
const DELIVERIES = countSetting(flags.deliveries, 'BENCH_DELIVERIES', 300);
const DELIVERIES_IN_FLIGHT = countSetting(flags['in-flight'], 'BENCH_IN_FLIGHT', 50);
/** One `n8n execute` is killed after this. */
const EXECUTE_TIMEOUT_MS = 240_000;
/** The target for ours: this share of the account limit. */
const TARGET_SHARE = 0.95;

const ACCOUNT_ID = DEFAULT_ACCOUNT.accountId;
const USER_IDS = benchUserIds('bench', ITEMS);
/** How the fake is set up, for reading what it recorded. */
const FAKE = { accountId: ACCOUNT_ID, rate: RATE, latencyMs: LATENCY_MS };

const log = progressLog('bench');

// ---------------------------------------------------------------------------------------------
// Cases

type CaseId =
	| 'ours'
	| 'http-default'
	| 'http-batch'
	| 'ours-faults'
	| 'http-retry-faults'
	| 'foreign'
	| 'burst'
	| 'burst-noop'
	| 'two-executions';

interface BenchCase {
	id: CaseId;
	label: string;
	/** `execute`: one `n8n execute` per run; `server`: deliveries to a started n8n. */
	kind: 'execute' | 'server';
	node: 'ours' | 'http' | 'noop';
	faults: boolean;
	/** A foreign client sends this many requests per second to the account during the run. */
	foreignRate?: number;
	/** Extra node settings / options. */
	batching?: { batchSize: number; batchInterval: number };
	retryOnFail?: { maxTries: number; waitBetweenTries: number };
}

const ALL_CASES: BenchCase[] = [
	{
		id: 'ours',
		label: '1. Appcues node, user → Update Profile, defaults',
		kind: 'execute',
		node: 'ours',
		faults: false,
	},
	{
		id: 'http-default',
		label: '2. HTTP Request node, defaults',
		kind: 'execute',
		node: 'http',
		faults: false,
	},
	{
		id: 'http-batch',
		label: '3. HTTP Request node, Batching 60 items / 1000 ms',
		kind: 'execute',
		node: 'http',
		faults: false,
		batching: { batchSize: 60, batchInterval: 1000 },
	},
	{
		id: 'ours-faults',
		label: '4a. Appcues node, defaults, 30 % random 429',
		kind: 'execute',
		node: 'ours',
		faults: true,
	},
	{
		id: 'http-retry-faults',
		label: '4b. HTTP Request node, Retry On Fail (5 tries, 1 s), 30 % random 429',
		kind: 'execute',
		node: 'http',
		faults: true,
		retryOnFail: { maxTries: 5, waitBetweenTries: 1000 },
	},
	{
		id: 'burst',
		label: `S1. Webhook burst: ${DELIVERIES} deliveries (${DELIVERIES_IN_FLIGHT} in flight) → Update Profile`,
		kind: 'server',
		node: 'ours',
		faults: false,
	},
	{
		id: 'burst-noop',
		label: `S1. Same burst → No Operation (n8n's own pace)`,
		kind: 'server',
		node: 'noop',
		faults: false,
	},
	{
		id: 'two-executions',
		label: `S2. Two executions at once, ${ITEMS} items each (two deliveries of ${ITEMS} events)`,
		kind: 'server',
		node: 'ours',
		faults: false,
	},
	{
		id: 'foreign',
		label: `S4. Appcues node, defaults, a foreign client taking ${FOREIGN_RATE}/s of the account`,
		kind: 'execute',
		node: 'ours',
		faults: false,
		foreignRate: FOREIGN_RATE,
	},
];

const selected = (flags.cases ?? process.env.BENCH_CASES)
	?.split(',')
	.map((s) => s.trim())
	.filter(Boolean);
for (const id of selected ?? []) {
	if (!ALL_CASES.some((c) => c.id === id)) {
		console.error(`unknown case "${id}"; cases: ${ALL_CASES.map((c) => c.id).join(', ')}`);
		process.exit(2);
	}
}
const CASES = ALL_CASES.filter((c) => !selected || selected.includes(c.id)).map((c) =>
	c.faults
		? { ...c, label: c.label.replace('30 %', `${Math.round(FAULT_PROBABILITY * 100)} %`) }
		: c,
);

// ---------------------------------------------------------------------------------------------
// Workflows

const CRED_APPCUES = { id: 'benchAppcuesCred', name: 'Appcues (bench fake)' };
const CRED_BASIC = { id: 'benchBasicAuthCr', name: 'Basic auth (bench fake)' };

/** Our node or n8n's HTTP Request node sending the PATCHes, with the case's node settings. */
function targetNode(benchCase: BenchCase, fakeUrl: string): TargetNode {
	const settings = benchCase.retryOnFail
		? {
				retryOnFail: true,
				maxTries: benchCase.retryOnFail.maxTries,
				waitBetweenTries: benchCase.retryOnFail.waitBetweenTries,
			}
		: {};
	if (benchCase.node === 'ours') return { ...settings, ...appcuesUpdateNode(CRED_APPCUES) };
	return {
		...settings,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'PATCH',
			url: `=${fakeUrl}/v2/accounts/${ACCOUNT_ID}/users/{{ $json.id }}/profile`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpBasicAuth',
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody: PROPERTIES_EXPRESSION,
			options: benchCase.batching ? { batching: { batch: benchCase.batching } } : {},
		},
		credentials: { httpBasicAuth: CRED_BASIC },
	};
}

function workflowFor(benchCase: BenchCase, index: number, fakeUrl: string): WorkflowJson {
	return updateProfileWorkflow({
		id: `benchThroughput${index}`.padEnd(16, '0').slice(0, 16),
		name: `Throughput bench: ${benchCase.label}`,
		items: ITEMS,
		userPrefix: 'bench',
		nodeIdPrefix: 'b0000000',
		target: targetNode(benchCase, fakeUrl),
	});
}

// ---------------------------------------------------------------------------------------------
// One run

interface RunMetrics extends Omit<PatchAnalysis, 'written' | 'firstAt' | 'lastAt'> {
	/** The node's executionTime from the run data, ms. */
	nodeMs: number;
	/** Wall time of `n8n execute` (process start to exit), ms. */
	wallMs: number;
	updatesPerSecond: number;
	green: boolean;
	/** Node start → first PATCH arrives at the fake. */
	startLagMs: number;
	/** Last PATCH arrives at the fake → node end (includes the fake's latency). */
	tailLagMs: number;
	error?: string;
	/** The foreign client's answers (case foreign). */
	foreign?: { ok: number; throttled: number; other: number; sent: number };
	/** Server cases: executions finished / expected, and deliveries answered 200. */
	executions?: {
		finished: number;
		succeeded: number;
		expected: number;
		accepted: number;
		deliveries: number;
	};
}

function nodeTask(run: RunJson | undefined) {
	return run?.data.resultData.runData[TARGET_NODE]?.at(-1);
}

function errorSummary(run: RunJson | undefined, output: string): string | undefined {
	const error = (nodeTask(run)?.error ?? run?.data.resultData.error) as
		{ message?: string; description?: string; httpCode?: string } | undefined;
	if (error) return [error.httpCode, error.message].filter(Boolean).join(' ').slice(0, 160);
	if (!run)
		return `no run JSON in the output: ${output.trim().split('\n').slice(-3).join(' | ').slice(0, 200)}`;
	return undefined;
}

async function runOnce(
	n8n: N8nSandbox,
	fake: FakeProcess,
	benchCase: BenchCase,
	workflowId: string,
): Promise<RunMetrics> {
	await fake.control('reset', {});
	if (benchCase.faults) {
		await fake.control('faults', {
			kind: 'status',
			status: 429,
			probability: FAULT_PROBABILITY,
			times: 'Infinity',
			method: 'PATCH',
			pathIncludes: '/profile',
		});
	}
	const foreign = benchCase.foreignRate
		? await startForeignClient({
				url: fake.url,
				accountId: ACCOUNT_ID,
				apiKey: DEFAULT_ACCOUNT.apiKey,
				apiSecret: DEFAULT_ACCOUNT.apiSecret,
				rate: benchCase.foreignRate,
			})
		: undefined;
	const t0 = Date.now();
	let res: Awaited<ReturnType<N8nSandbox['executeWorkflow']>>;
	let foreignCounts: RunMetrics['foreign'];
	try {
		res = await n8n.executeWorkflow(workflowId, { timeoutMs: EXECUTE_TIMEOUT_MS });
	} finally {
		foreignCounts = await foreign?.stop();
	}
	const wallMs = Date.now() - t0;
	const recorded = (await fake.control('requests')) as RecordedRequestLite[];
	const patches = analyseProfilePatches(recorded, USER_IDS, FAKE);
	const task = nodeTask(res.run);
	const nodeMs = Number(task?.executionTime ?? NaN);
	const startTime = Number(task?.startTime ?? NaN);

	return {
		...patches,
		nodeMs,
		wallMs,
		updatesPerSecond: nodeMs > 0 ? patches.written / (nodeMs / 1000) : NaN,
		green: res.ok,
		startLagMs: patches.firstAt - startTime,
		tailLagMs: startTime + nodeMs - patches.lastAt,
		error: res.ok
			? undefined
			: (errorSummary(res.run, res.output) ?? `exit ${res.code ?? res.signal}`),
		foreign: foreignCounts,
	};
}

/** "200: 290, 0 (no answer): 10". */
function describeStatuses(statuses: number[]): string {
	const counts = new Map<number, number>();
	for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
	return [...counts]
		.map(([status, count]) => `${status === 0 ? '0 (no answer)' : status}: ${count}`)
		.join(', ');
}

/**
 * A server case: deliveries to the published trigger workflow, then the executions they started
 * (n8n's database) and what the fake recorded. Time = first delivery sent → last execution
 * stopped; updates/s = users written / that time (No Operation: executions / that time).
 */
async function runServerCase(
	n8n: N8nSandbox,
	fake: FakeProcess,
	benchCase: BenchCase,
	target: { workflowId: string; url: string },
	round: number,
): Promise<RunMetrics> {
	await fake.control('reset', {});
	const tag = `r${round}-${Date.now()}`;
	let bodies: string[];
	let userIds: string[];
	let inFlight: number;
	if (benchCase.id === 'two-executions') {
		const ids = ['a', 'b'].map((run) =>
			Array.from({ length: ITEMS }, (_, i) => `bench-${run}-${String(i).padStart(4, '0')}`),
		);
		userIds = ids.flat();
		bodies = ids.map((list, run) =>
			JSON.stringify(list.map((userId, i) => event(`evt-${tag}-${run}-${i}`, userId))),
		);
		inFlight = 2;
	} else {
		userIds = Array.from(
			{ length: DELIVERIES },
			(_, i) => `bench-user-${String(i).padStart(4, '0')}`,
		);
		bodies = userIds.map((userId, i) => JSON.stringify(event(`evt-${tag}-${i}`, userId)));
		inFlight = DELIVERIES_IN_FLIGHT;
	}
	const afterId = await lastExecutionId(n8n);
	const t0 = Date.now();
	const delivered = await deliver(target.url, WEBHOOK_SECRET, bodies, inFlight);
	const accepted = delivered.statuses.filter((status) => status === 200).length;
	const { rows, complete } = await waitForNewExecutions(
		n8n,
		target.workflowId,
		afterId,
		accepted,
		EXECUTE_TIMEOUT_MS,
	);
	const stoppedAt = Math.max(...rows.map((row) => dbTime(row.stoppedAt)));
	const doneMs = stoppedAt - t0;
	const succeeded = rows.filter((row) => row.status === 'success').length;
	const recorded = (await fake.control('requests')) as RecordedRequestLite[];
	const patches = analyseProfilePatches(recorded, benchCase.node === 'noop' ? [] : userIds, FAKE);
	const done = benchCase.node === 'noop' ? succeeded : patches.written;
	const green = complete && accepted === bodies.length && succeeded === bodies.length;
	return {
		...patches,
		nodeMs: doneMs,
		wallMs: delivered.acceptedMs,
		updatesPerSecond: doneMs > 0 ? done / (doneMs / 1000) : NaN,
		green,
		startLagMs: patches.firstAt - t0,
		tailLagMs: stoppedAt - patches.lastAt,
		executions: {
			finished: rows.length,
			succeeded,
			expected: bodies.length,
			accepted,
			deliveries: bodies.length,
		},
		error: green
			? undefined
			: `${accepted}/${bodies.length} deliveries accepted (${describeStatuses(delivered.statuses)}), ` +
				`${succeeded}/${rows.length} executions succeeded${complete ? '' : ' (timed out waiting)'}`,
	};
}

// ---------------------------------------------------------------------------------------------
// Report

interface CaseResult {
	benchCase: BenchCase;
	runs: RunMetrics[];
}

function medianOf(result: CaseResult, key: keyof RunMetrics): number {
	return median(result.runs.map((run) => Number(run[key])));
}

function describeRun(run: RunMetrics): string {
	return (
		`${fmt(run.updatesPerSecond, 1)} updates/s, node ${seconds(run.nodeMs)}, wall ${seconds(run.wallMs)}, ` +
		`${run.requests} requests, ${run.throttled}× 429, ${run.writtenTwice} written twice, ` +
		`${run.neverWritten} never written, ${run.green ? 'green' : 'RED'}; ` +
		`requests spread over ${seconds(run.firstToLastRequestMs)} (${run.paceLossMs >= 0 ? '+' : ''}${fmt(run.paceLossMs)} ms against exactly ${RATE}/s), ` +
		`at most ${run.maxRequestsInOneSecond} in one second and ${run.maxInFlight} within ${LATENCY_MS} ms; ` +
		`node start → first request ${fmt(run.startLagMs)} ms, last request → node end ${fmt(run.tailLagMs)} ms` +
		(run.error ? `; error: ${run.error}` : '') +
		(run.foreign
			? `; foreign client: ${run.foreign.sent} sent, ${run.foreign.ok} ok, ${run.foreign.throttled}× 429`
			: '') +
		(run.executions
			? `; executions: ${run.executions.succeeded}/${run.executions.expected} succeeded, ${run.executions.accepted}/${run.executions.deliveries} deliveries accepted in ${seconds(run.wallMs)}`
			: '') +
		`; per second (ok/429): ${run.perSecond}`
	);
}

function report(
	results: CaseResult[],
	meta: { started: Date; elapsedMs: number; truncated: boolean; loadAtStart: number },
): string {
	const lines: string[] = [];
	lines.push(
		`### Throughput: ${ITEMS} profile updates, n8n ${VERSION}, fake Appcues with ${LATENCY_MS} ms latency and a ${RATE}/s token bucket`,
		'',
		`Median of ${RUNS} run${RUNS === 1 ? '' : 's'} per case (${meta.started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
			`Node ${process.version} driver, ${Math.round(meta.elapsedMs / 1000)} s in all, ` +
			`${loadNote(meta.loadAtStart)}). ` +
			(PACKAGE_TGZ ? `Package: ${PACKAGE_TGZ} (not this repository's build). ` : '') +
			"Updates/s = users written / the node's execution time in the run data; wall = the whole `n8n execute` process, boot included.",
		'',
		'| Case | Updates/s | Node time | Wall time | Requests | 429s | Written twice | Never written | Green |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---|',
	);
	const greensOf = (result: CaseResult) => {
		const greens = result.runs.filter((run) => run.green).length;
		return `${greens === result.runs.length ? 'yes' : greens === 0 ? 'no' : 'partly'} (${greens}/${result.runs.length})`;
	};
	for (const result of results.filter(
		(r) => r.benchCase.kind === 'execute' && !r.benchCase.foreignRate,
	)) {
		const { runs } = result;
		const greens = runs.filter((run) => run.green).length;
		lines.push(
			`| ${result.benchCase.label} | ${fmt(medianOf(result, 'updatesPerSecond'), 1)} | ${seconds(medianOf(result, 'nodeMs'))} | ` +
				`${seconds(medianOf(result, 'wallMs'))} | ${fmt(medianOf(result, 'requests'))} | ${fmt(medianOf(result, 'throttled'))} | ` +
				`${fmt(medianOf(result, 'writtenTwice'))} | ${fmt(medianOf(result, 'neverWritten'))} | ` +
				`${greens === runs.length ? 'yes' : greens === 0 ? 'no' : 'partly'} (${greens}/${runs.length}) |`,
		);
	}

	const byId = (id: CaseId) => results.find((r) => r.benchCase.id === id && r.runs.length > 0);
	const ours = byId('ours');
	const oursFaults = byId('ours-faults');
	const batch = byId('http-batch');

	lines.push('', 'Ratios (ours / case 3, medians of this run):', '');
	if (batch) {
		const base = medianOf(batch, 'updatesPerSecond');
		if (ours) lines.push(`- case 1 / case 3: ${fmt(medianOf(ours, 'updatesPerSecond') / base, 2)}`);
		if (oursFaults)
			lines.push(`- case 4a / case 3: ${fmt(medianOf(oursFaults, 'updatesPerSecond') / base, 2)}`);
	} else {
		lines.push('- case 3 was not run');
	}

	lines.push('', 'Targets:', '');
	const mark = (ok: boolean | undefined) =>
		ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED';
	const goal = TARGET_SHARE * RATE;
	if (ours) {
		const med = medianOf(ours, 'updatesPerSecond');
		const min = Math.min(...ours.runs.map((run) => run.updatesPerSecond));
		lines.push(
			`- ours ≥ ${fmt(goal, 1)} updates/s (${TARGET_SHARE * 100} % of ${RATE}/s): ${mark(med >= goal)} (median ${fmt(med, 1)}, slowest run ${fmt(min, 1)})`,
		);
		if (batch) {
			const base = medianOf(batch, 'updatesPerSecond');
			lines.push(
				`- ours never below case 3: ${mark(min >= base)} (slowest run of ours ${fmt(min, 1)} vs case 3 median ${fmt(base, 1)}; medians ${fmt(med, 1)} vs ${fmt(base, 1)})`,
			);
		} else {
			lines.push('- ours never below case 3: not measured');
		}
		const oursClean = ours.runs.every(
			(run) => run.green && run.neverWritten === 0 && run.writtenTwice === 0,
		);
		lines.push(`- ours without faults: all users written once, green: ${mark(oursClean)}`);
	} else {
		lines.push('- ours (case 1) was not run');
	}
	if (oursFaults) {
		const lost = Math.max(...oursFaults.runs.map((run) => run.neverWritten));
		const twice = Math.max(...oursFaults.runs.map((run) => run.writtenTwice));
		const greens = oursFaults.runs.filter((run) => run.green).length;
		lines.push(
			`- under faults 0 users lost: ${mark(lost === 0)} (worst run ${lost})`,
			`- under faults 0 users written twice: ${mark(twice === 0)} (worst run ${twice})`,
			`- under faults the run ends green: ${mark(greens === oursFaults.runs.length)} (${greens}/${oursFaults.runs.length})`,
		);
	} else {
		lines.push('- ours under faults (case 4a) was not run');
	}
	lines.push(...sharedAccountReport(results, greensOf));
	if (meta.truncated)
		lines.push(
			'',
			`**Stopped early**: the time budget ran out; some cases have fewer than ${RUNS} runs.`,
		);

	lines.push('', '<details><summary>Every run</summary>', '');
	for (const result of results) {
		lines.push(`- ${result.benchCase.label}`);
		result.runs.forEach((run, i) => lines.push(`  - run ${i + 1}: ${describeRun(run)}`));
	}
	lines.push('', '</details>');
	return lines.join('\n');
}

/** Issue 11's cases, numbered as there: one table and the targets. */
function sharedAccountReport(
	results: CaseResult[],
	greensOf: (result: CaseResult) => string,
): string[] {
	const byId = (id: CaseId) => results.find((r) => r.benchCase.id === id && r.runs.length > 0);
	const rows: Array<[string, CaseResult | undefined]> = [
		['1', byId('burst')],
		['1 (baseline)', byId('burst-noop')],
		['2', byId('two-executions')],
		['4', byId('foreign')],
		['5', byId('ours')],
	];
	if (!rows.slice(0, 4).some(([, result]) => result)) return [];
	const lines = [
		'',
		`#### Shared account (issue 11): ${RATE}/s per account, ${LATENCY_MS} ms latency, medians of ${RUNS}`,
		'',
		"Updates/s: users written / time; for 1 and 2 time = first delivery sent → last execution stopped (n8n's database), " +
			"for 4 and 5 the node's execution time. For the No Operation baseline: executions / time.",
		'',
		'| Case | Updates/s | Time | Requests | 429s | 429 share | Peak requests in 1 s | Written twice | Never written | Green |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
	];
	for (const [number, result] of rows) {
		if (!result) continue;
		const share = median(
			result.runs.map((run) => (run.requests ? (100 * run.throttled) / run.requests : 0)),
		);
		lines.push(
			`| ${number}. ${result.benchCase.label.replace(/^S?\d+\.\s*/, '')} | ${fmt(medianOf(result, 'updatesPerSecond'), 1)} | ${seconds(medianOf(result, 'nodeMs'))} | ` +
				`${fmt(medianOf(result, 'requests'))} | ${fmt(medianOf(result, 'throttled'))} | ${fmt(share, 1)} % | ${fmt(medianOf(result, 'maxRequestsInOneSecond'))} | ` +
				`${fmt(medianOf(result, 'writtenTwice'))} | ${fmt(medianOf(result, 'neverWritten'))} | ${greensOf(result)} |`,
		);
	}
	const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
	const worst = (result: CaseResult, key: 'neverWritten' | 'writtenTwice' | 'throttled') =>
		Math.max(...result.runs.map((run) => run[key]));
	const clean = (result: CaseResult) =>
		worst(result, 'neverWritten') === 0 && worst(result, 'writtenTwice') === 0;
	lines.push('', 'Targets (issue 11):', '');
	const [, burst] = rows[0];
	const [, noop] = rows[1];
	if (burst) {
		const time = medianOf(burst, 'nodeMs');
		const base = noop ? medianOf(noop, 'nodeMs') : NaN;
		lines.push(
			`- 1: all ${DELIVERIES} written once, no 429: ${mark(clean(burst) && worst(burst, 'throttled') === 0)} (worst run: ${worst(burst, 'neverWritten')} never, ${worst(burst, 'writtenTwice')} twice, ${worst(burst, 'throttled')}× 429)`,
			!noop
				? '- 1: the No Operation baseline was not run'
				: [burst, noop].every((result) => result.runs.every((run) => run.green))
					? `- 1: time ≤ No Operation + 10 %: ${mark(time <= base * 1.1)} (${seconds(time)} vs ${seconds(base)}, ${fmt((100 * time) / base - 100, 1)} %)`
					: `- 1: time ≤ No Operation + 10 %: not comparable, n8n did not accept every delivery in every run (${seconds(time)} vs ${seconds(base)})`,
		);
	}
	const [, two] = rows[2];
	if (two) {
		const rate = medianOf(two, 'updatesPerSecond');
		const share = median(two.runs.map((run) => (run.requests ? run.throttled / run.requests : 0)));
		lines.push(
			`- 2: aggregate ≥ ${fmt(0.9 * RATE, 1)} updates/s: ${mark(rate >= 0.9 * RATE)} (median ${fmt(rate, 1)})`,
			`- 2: 429s under 5 % of requests: ${mark(share < 0.05)} (median ${fmt(100 * share, 1)} %); 0 lost, 0 twice: ${mark(clean(two))}`,
		);
	}
	const [, foreign] = rows[3];
	if (foreign) {
		const rate = medianOf(foreign, 'updatesPerSecond');
		const goal = ((RATE - FOREIGN_RATE) * 26) / 30;
		const foreignOk = median(foreign.runs.map((run) => run.foreign?.ok ?? NaN));
		const foreignThrottled = median(foreign.runs.map((run) => run.foreign?.throttled ?? NaN));
		lines.push(
			`- 4: ours ≥ ${fmt(goal, 1)} updates/s with a foreign client at ${FOREIGN_RATE}/s: ${mark(rate >= goal)} (median ${fmt(rate, 1)}); 0 lost, 0 twice: ${mark(clean(foreign))} ` +
				`(the foreign client: median ${fmt(foreignOk)} ok, ${fmt(foreignThrottled)}× 429)`,
		);
	}
	const [, ours] = rows[4];
	if (ours) {
		const rate = medianOf(ours, 'updatesPerSecond');
		lines.push(
			`- 5: one execution at defaults ≥ ${fmt(TARGET_SHARE * RATE, 1)} updates/s with 0 429s: ${mark(rate >= TARGET_SHARE * RATE && worst(ours, 'throttled') === 0)} (median ${fmt(rate, 1)}, worst run ${worst(ours, 'throttled')}× 429)`,
		);
	}
	return lines;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
	const started = new Date();
	log(
		`n8n ${VERSION}, ${ITEMS} items, ${RUNS} run(s) per case, fake: ${LATENCY_MS} ms latency, ${RATE}/s bucket; ` +
			`cases: ${CASES.map((c) => c.id).join(', ')}`,
	);
	log(`preparing the n8n ${VERSION} runtime (installs on first use, about 5 minutes)…`);
	const n8n = await createN8nSandbox(VERSION);
	log(`runtime ready (${Math.round(n8n.runtime.ensureMs / 1000)} s); sandbox ${n8n.root}`);
	const benchStart = Date.now();
	const loadAtStart = loadavg()[0];

	const fake = await startFakeProcess({ rateLimit: RATE, latencyMs: LATENCY_MS });
	log(`fake Appcues at ${fake.url}`);
	try {
		const tgz = PACKAGE_TGZ ? resolve(PACKAGE_TGZ) : await packPackage(repoRoot());
		await n8n.installPackageTarball(tgz);
		log(`installed ${tgz.split('/').at(-1)}`);
		await n8n.importCredentials([
			{
				...CRED_APPCUES,
				type: 'appcuesApi',
				data: {
					apiKey: DEFAULT_ACCOUNT.apiKey,
					apiSecret: DEFAULT_ACCOUNT.apiSecret,
					accountId: ACCOUNT_ID,
					region: 'custom',
					baseUrl: fake.url,
					webhookSecret: WEBHOOK_SECRET,
				},
			},
			{
				...CRED_BASIC,
				type: 'httpBasicAuth',
				data: { user: DEFAULT_ACCOUNT.apiKey, password: DEFAULT_ACCOUNT.apiSecret },
			},
		]);
		const executeCases = CASES.filter((c) => c.kind === 'execute');
		const serverCases = CASES.filter((c) => c.kind === 'server');
		const workflowIds = new Map<CaseId, string>();
		const workflows = executeCases.map((benchCase, i) => {
			const workflow = workflowFor(benchCase, i, fake.url);
			workflowIds.set(benchCase.id, workflow.id!);
			return workflow;
		});
		// Server cases: Trigger → Update Profile (burst, two-executions) and Trigger → No Operation.
		const hooks = {
			update: { id: 'benchTriggerUpd0', webhookId: 'b1000000-0000-4000-8000-000000000001' },
			noop: { id: 'benchTriggerNoop', webhookId: 'b1000000-0000-4000-8000-000000000002' },
		};
		const serverWorkflows = (['update', 'noop'] as const)
			.filter((second) =>
				serverCases.some((c) => (second === 'noop' ? c.node === 'noop' : c.node === 'ours')),
			)
			.map((second) =>
				triggerWorkflow({
					...hooks[second],
					name: `Throughput bench: trigger → ${second}`,
					credential: CRED_APPCUES,
					second,
				}),
			);
		await n8n.importWorkflows([...workflows, ...serverWorkflows]);
		for (const workflow of serverWorkflows) await n8n.publishWorkflow(workflow.id!);
		log(`imported credentials and ${workflows.length + serverWorkflows.length} workflows`);

		const results: CaseResult[] = CASES.map((benchCase) => ({ benchCase, runs: [] }));
		let truncated = false;
		const phase = async (
			cases: BenchCase[],
			run: (benchCase: BenchCase, round: number) => Promise<RunMetrics>,
		) => {
			for (let round = 1; round <= RUNS; round++) {
				for (const benchCase of cases) {
					if (Date.now() - benchStart > BUDGET_MS) {
						truncated = true;
						log('time budget spent: no more runs');
						return;
					}
					log(`round ${round}/${RUNS}: ${benchCase.label} …`);
					const metrics = await run(benchCase, round);
					results.find((r) => r.benchCase === benchCase)!.runs.push(metrics);
					log(`  ${describeRun(metrics)}`);
				}
			}
		};
		await phase(executeCases, (benchCase) =>
			runOnce(n8n, fake, benchCase, workflowIds.get(benchCase.id)!),
		);
		if (serverCases.length && !truncated) {
			log('starting n8n (regular mode) for the webhook cases …');
			const server = await n8n.start({ timeoutMs: 240_000 });
			for (const workflow of serverWorkflows) {
				await server.waitForWebhook(`${workflow.nodes[0].webhookId}/webhook`, {
					timeoutMs: 120_000,
				});
			}
			log(`n8n ready in ${Math.round(server.startupMs / 1000)} s`);
			try {
				await phase(serverCases, (benchCase, round) => {
					const second = benchCase.node === 'noop' ? 'noop' : 'update';
					const url = `${server.baseUrl}/webhook/${hooks[second].webhookId}/webhook`;
					return runServerCase(n8n, fake, benchCase, { workflowId: hooks[second].id, url }, round);
				});
			} finally {
				await server.stop();
			}
		}
		process.stdout.write(
			`${report(results, { started, elapsedMs: Date.now() - benchStart, truncated, loadAtStart })}\n`,
		);
	} finally {
		fake.child.kill('SIGTERM');
		await disposeAll();
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		void disposeAll().finally(() => process.exit(1));
	},
);

/**
 * The throughput benchmark's report: one table of medians (the same in the printed report and in
 * the saved result), the targets, and every run in detail.
 */
import { fmt, median, seconds } from '../lib/report';
import { type BenchResult, describeRun, markdownTable, runFacts } from '../lib/results';
import type { CaseId, ThroughputSettings } from './cases';
import type { BenchmarkRun, CaseResult, RunMetrics } from './runner';

/** Ours at defaults must reach this share of the limit. */
const TARGET_SHARE = 0.95;
/** … and send its first request this soon after the node starts. */
const TARGET_FIRST_REQUEST_MS = 100;

const medianOf = (result: CaseResult, value: (run: RunMetrics) => number) =>
	median(result.runs.map(value));
const share429 = (run: RunMetrics) => (run.requests ? (100 * run.throttled) / run.requests : 0);
const worst = (result: CaseResult, key: 'neverWritten' | 'writtenTwice' | 'throttled') =>
	Math.max(...result.runs.map((run) => run[key]));
const clean = (result: CaseResult) =>
	worst(result, 'neverWritten') === 0 && worst(result, 'writtenTwice') === 0;
const greens = (result: CaseResult) => result.runs.filter((run) => run.green).length;

function row(result: CaseResult): string[] {
	const noop = result.benchCase.node === 'noop';
	return [
		result.benchCase.label,
		fmt(
			medianOf(result, (run) => run.updatesPerSecond),
			1,
		),
		seconds(medianOf(result, (run) => run.nodeMs)),
		fmt(medianOf(result, (run) => run.requests)),
		noop
			? ''
			: `${fmt(medianOf(result, (run) => run.throttled))} (${fmt(medianOf(result, share429), 1)} %)`,
		noop ? '' : fmt(medianOf(result, (run) => run.maxRequestsInOneSecond)),
		noop ? '' : `${fmt(medianOf(result, (run) => run.startLagMs))} ms`,
		noop ? '' : fmt(medianOf(result, (run) => run.writtenTwice)),
		noop ? '' : fmt(medianOf(result, (run) => run.neverWritten)),
		`${greens(result)}/${result.runs.length}`,
	];
}

export function resultTable(results: CaseResult[]): string[][] {
	return [
		[
			'Case',
			'Updates/s',
			'Time',
			'Requests',
			'429s',
			'Most in 1 s',
			'First request',
			'Written twice',
			'Never written',
			'Green',
		],
		...results.filter((r) => r.runs.length > 0).map(row),
	];
}

const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** The targets of the cases that ran, one line each. */
export function targets(results: CaseResult[], settings: ThroughputSettings): string[] {
	const byId = (id: CaseId) => results.find((r) => r.benchCase.id === id && r.runs.length > 0);
	const lines: string[] = [];
	const rate = (result: CaseResult) => medianOf(result, (run) => run.updatesPerSecond);
	const ours = byId('ours');
	const batch = byId('http-batch');
	if (ours) {
		const goal = TARGET_SHARE * settings.rate;
		const most = Math.max(...ours.runs.map((run) => run.maxRequestsInOneSecond));
		const lag = medianOf(ours, (run) => run.startLagMs);
		lines.push(
			`Appcues node at defaults: ≥ ${fmt(goal, 1)} updates/s ${mark(rate(ours) >= goal)} (${fmt(rate(ours), 1)}); ` +
				`never more than ${settings.rate} requests in one second ${mark(most <= settings.rate)} (at most ${most}); ` +
				`first request ≤ ${TARGET_FIRST_REQUEST_MS} ms after the node starts ${mark(lag <= TARGET_FIRST_REQUEST_MS)} (${fmt(lag)} ms); ` +
				`0 lost, 0 twice, green ${mark(clean(ours) && greens(ours) === ours.runs.length)}.`,
		);
	}
	const faults = byId('ours-faults');
	if (faults) {
		lines.push(
			`Appcues node, ${Math.round(settings.faultProbability * 100)} % random 429s: ≥ 35 updates/s ${mark(rate(faults) >= 35)} (${fmt(rate(faults), 1)}); ` +
				`0 lost, 0 twice, green ${mark(clean(faults) && greens(faults) === faults.runs.length)} ` +
				`(worst run: ${worst(faults, 'neverWritten')} lost, ${worst(faults, 'writtenTwice')} twice).`,
		);
	}
	const foreign = byId('foreign');
	if (foreign) {
		const share = medianOf(foreign, share429);
		const goal = ((settings.rate - settings.foreignRate) * 26) / 30;
		lines.push(
			`A foreign client at ${settings.foreignRate}/s: ours ≥ ${fmt(goal, 1)} updates/s ${mark(rate(foreign) >= goal)} (${fmt(rate(foreign), 1)}) ` +
				`with ≤ 5 % 429s ${mark(share <= 5)} (${fmt(share, 1)} %); 0 lost, 0 twice ${mark(clean(foreign))}.`,
		);
	}
	const two = byId('two-executions');
	if (two) {
		const share = medianOf(two, share429);
		lines.push(
			`Two executions in one process: ≥ ${fmt(0.9 * settings.rate, 1)} updates/s ${mark(rate(two) >= 0.9 * settings.rate)} (${fmt(rate(two), 1)}), ` +
				`${fmt(share, 1)} % 429s; 0 lost, 0 twice ${mark(clean(two))}.`,
		);
	}
	const burst = byId('burst');
	if (burst) {
		lines.push(
			`Webhook burst: every delivery written once, no 429 ${mark(clean(burst) && worst(burst, 'throttled') === 0 && greens(burst) === burst.runs.length)} ` +
				`(worst run: ${worst(burst, 'neverWritten')} never, ${worst(burst, 'writtenTwice')} twice, ${worst(burst, 'throttled')}× 429).`,
		);
	}
	const httpFaults = byId('http-retry-faults');
	const pairs: Array<[string, CaseResult | undefined, CaseResult | undefined]> = [
		['at defaults against Batching 60 / 1 s, its best hand-tuned setting', ours, batch],
		['with random 429s against Retry On Fail', faults, httpFaults],
	];
	const compared = pairs
		.filter((pair): pair is [string, CaseResult, CaseResult] => Boolean(pair[1] && pair[2]))
		.map(
			([label, mine, theirs]) =>
				`${label}: ${fmt(rate(mine), 1)} vs ${fmt(rate(theirs), 1)} updates/s (${fmt(rate(mine) / rate(theirs), 2)}×; ` +
				`lost ${worst(mine, 'neverWritten')} vs ${worst(theirs, 'neverWritten')}, twice ${worst(mine, 'writtenTwice')} vs ${worst(theirs, 'writtenTwice')})`,
		);
	if (compared.length)
		lines.push(`The Appcues node against n8n's HTTP Request node, ${compared.join('; ')}.`);
	lines.push(
		"Updates/s: users written / the node's execution time in the run data (webhook cases: first delivery → last execution stopped). First request: node start (webhook cases: first delivery) → first request at the fake.",
	);
	return lines;
}

function describeMetrics(run: RunMetrics, settings: ThroughputSettings): string {
	return (
		`${fmt(run.updatesPerSecond, 1)} updates/s, node ${seconds(run.nodeMs)}, wall ${seconds(run.wallMs)}, ` +
		`${run.requests} requests, ${run.throttled}× 429, ${run.writtenTwice} written twice, ` +
		`${run.neverWritten} never written, ${run.green ? 'green' : 'RED'}; ` +
		`requests spread over ${seconds(run.firstToLastRequestMs)} (${run.paceLossMs >= 0 ? '+' : ''}${fmt(run.paceLossMs)} ms against exactly ${settings.rate}/s), ` +
		`at most ${run.maxRequestsInOneSecond} in one second and ${run.maxInFlight} within ${settings.latencyMs} ms; ` +
		`first request ${fmt(run.startLagMs)} ms after the start, last request → end ${fmt(run.tailLagMs)} ms` +
		(run.error ? `; error: ${run.error}` : '') +
		(run.foreign
			? `; foreign client: ${run.foreign.sent} sent, ${run.foreign.ok} ok, ${run.foreign.throttled}× 429`
			: '') +
		(run.executions
			? `; executions: ${run.executions.succeeded}/${run.executions.expected} succeeded, ${run.executions.accepted}/${run.executions.deliveries} deliveries accepted`
			: '') +
		`; per second (ok/429): ${run.perSecond}`
	);
}

export { describeMetrics };

/** The saved result of a run. */
export function throughputResult(
	run: BenchmarkRun,
	settings: ThroughputSettings,
	command: string,
): BenchResult {
	return {
		id: `throughput-${settings.version}`,
		benchmark: 'throughput',
		title: `Throughput in n8n ${settings.version}: ${settings.items} profile updates, fake Appcues with ${settings.latencyMs} ms latency and a ${settings.rate}/s limit`,
		command,
		n8n: settings.version,
		runs: settings.runs,
		...runFacts(run.started, run.loadBefore),
		loadAfter: Number(run.loadAfter.toFixed(2)),
		table: resultTable(run.results),
		notes: [
			...targets(run.results, settings),
			...(run.truncated
				? [`Stopped early: some cases have fewer than ${settings.runs} runs.`]
				: []),
		],
	};
}

/** The printed report: the table and targets as saved, then every run. */
export function report(
	result: BenchResult,
	run: BenchmarkRun,
	settings: ThroughputSettings,
): string {
	const lines = [
		`### ${result.title}`,
		'',
		`${describeRun(result)}; ${Math.round(run.elapsedMs / 1000)} s in all.` +
			(settings.packageTgz ? ` Package: ${settings.packageTgz}.` : ''),
		'',
		...markdownTable(result.table),
		'',
		...result.notes.map((note) => `- ${note}`),
		'',
		'<details><summary>Every run</summary>',
		'',
	];
	for (const { benchCase, runs } of run.results) {
		lines.push(`- ${benchCase.label}`);
		runs.forEach((metrics, i) =>
			lines.push(`  - run ${i + 1}: ${describeMetrics(metrics, settings)}`),
		);
	}
	lines.push('', '</details>');
	return lines.join('\n');
}

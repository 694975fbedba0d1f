/**
 * Throughput benchmark (`npm run bench:throughput`): profile updates through real n8n (the
 * runtimes of the end-to-end suite) against the fake Appcues API (100 ms latency, a 60/s token
 * bucket per account, 429 without Retry-After), the Appcues node against n8n's own HTTP Request
 * node, alone and sharing the account. The cases are in bench/throughput/cases.ts, how a run is
 * measured in runner.ts, the table in report.ts.
 *
 *   npm run bench:throughput                         # n8n 2.41.1 (Node 24), every case
 *   npm run bench:throughput -- --n8n 2.8.4          # or BENCH_N8N_VERSION=2.8.4
 *   node --import tsx bench/throughput.ts --runs 1 --cases ours,http-batch   # dist/ built
 *
 * Options (flag or env): --n8n / BENCH_N8N_VERSION (2.41.1 | 2.8.4), --runs / BENCH_RUNS (3),
 * --items / BENCH_ITEMS (300), --rate / BENCH_RATE (60), --latency / BENCH_LATENCY (100),
 * --fault-probability / BENCH_FAULT_PROBABILITY (0.3), --foreign-rate / BENCH_FOREIGN_RATE
 * (30), --deliveries / BENCH_DELIVERIES (300), --in-flight / BENCH_IN_FLIGHT (50), --cases /
 * BENCH_CASES (comma list, default all), --budget-minutes / BENCH_BUDGET_MINUTES (25: no new run
 * starts after it), --package / BENCH_PACKAGE (a tarball instead of this repository's dist/),
 * --save (write bench/results/throughput-<version>.json for bench/README.md).
 *
 * Progress goes to stderr, the report (markdown) to stdout. Prints figures; asserts nothing. The
 * exit code is 0 whenever the benchmark itself worked, whether or not targets were met.
 */
import { parseArgs } from 'node:util';

import { N8N_VERSIONS, type N8nVersion } from '../test/e2e/lib/n8n';
import { saveResult } from './lib/results';
import {
	COMMON_FLAGS,
	commonSettings,
	countSetting,
	numberSetting,
	progressLog,
} from './lib/settings';
import { selectCases, type ThroughputSettings } from './throughput/cases';
import { describeMetrics, report, throughputResult } from './throughput/report';
import { runThroughput } from './throughput/runner';

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
		save: { type: 'boolean' },
	},
	allowPositionals: false,
});

const version = (flags.n8n ?? process.env.BENCH_N8N_VERSION ?? '2.41.1') as N8nVersion;
if (!N8N_VERSIONS.includes(version)) {
	console.error(`unknown n8n version "${version}"; use one of ${N8N_VERSIONS.join(', ')}`);
	process.exit(2);
}
const { RUNS, ITEMS, RATE, LATENCY_MS, PACKAGE_TGZ } = commonSettings(flags);
const settings: ThroughputSettings = {
	version,
	runs: RUNS,
	items: ITEMS,
	rate: RATE,
	latencyMs: LATENCY_MS,
	packageTgz: PACKAGE_TGZ,
	faultProbability: numberSetting(flags['fault-probability'], 'BENCH_FAULT_PROBABILITY', 0.3),
	foreignRate: numberSetting(flags['foreign-rate'], 'BENCH_FOREIGN_RATE', 30),
	deliveries: countSetting(flags.deliveries, 'BENCH_DELIVERIES', 300),
	deliveriesInFlight: countSetting(flags['in-flight'], 'BENCH_IN_FLIGHT', 50),
	budgetMs: numberSetting(flags['budget-minutes'], 'BENCH_BUDGET_MINUTES', 25) * 60_000,
};
const log = progressLog('bench');

async function main() {
	const ids = (flags.cases ?? process.env.BENCH_CASES)
		?.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	const cases = selectCases(settings, ids);
	log(
		`n8n ${version}, ${ITEMS} items, ${RUNS} run(s) per case, fake: ${LATENCY_MS} ms latency, ` +
			`${RATE}/s bucket; cases: ${cases.map((c) => c.id).join(', ')}`,
	);
	const run = await runThroughput(settings, cases, log, (_benchCase, metrics) =>
		log(`  ${describeMetrics(metrics, settings)}`),
	);
	const command = `npm run bench:throughput -- --n8n ${version}${ids?.length ? ` --cases ${ids.join(',')}` : ''}`;
	const result = throughputResult(run, settings, command);
	process.stdout.write(`${report(result, run, settings)}\n`);
	if (flags.save) log(`saved ${await saveResult(result)}`);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);

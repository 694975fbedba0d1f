/**
 * The throttle's model (`npm run bench:model`): bench/lib/simulate.ts runs the real Throttle and
 * Pacer in virtual time against a model of Appcues' limit, for each case below, over several
 * seeds. Takes seconds, needs no n8n. --save writes bench/results/model.json for
 * bench/README.md; --seeds N (default 9).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { simulate, type SimOptions, type SimResult } from './lib/simulate';
import { fmt, median } from './lib/report';
import { type BenchResult, describeRun, markdownTable, runFacts, saveResult } from './lib/results';
import { countSetting } from './lib/settings';

const one = [{ process: 0, items: 300 }];
const processes = (count: number) =>
	Array.from({ length: count }, (_, process) => ({ process, items: 300 }));

export const MODEL_CASES: Array<[string, Omit<SimOptions, 'seed'>]> = [
	['One execution, 300 updates', { executions: one }],
	['Two executions in one process', { executions: [...one, ...one] }],
	['Two processes (queue-mode workers)', { executions: processes(2) }],
	['Three processes', { executions: processes(3) }],
	[
		'Two processes starting up to 0.5 s apart, latency 100-130 ms',
		{ executions: processes(2), startSpreadMs: 500, jitterMs: 30 },
	],
	[
		'Three processes starting up to 0.5 s apart, latency 100-130 ms',
		{ executions: processes(3), startSpreadMs: 500, jitterMs: 30 },
	],
	['A foreign client taking 30/s', { executions: one, foreignRate: 30 }],
	[
		'A foreign client taking 30/s, latency 100-130 ms',
		{ executions: one, foreignRate: 30, jitterMs: 30 },
	],
	['10 % of requests answered 429 at random', { executions: one, faultProbability: 0.1 }],
	['30 % of requests answered 429 at random', { executions: one, faultProbability: 0.3 }],
	['50 % of requests answered 429 at random', { executions: one, faultProbability: 0.5 }],
	['Two processes and 10 % random 429s', { executions: processes(2), faultProbability: 0.1 }],
	[
		'The limit drops from 60/s to 30/s (4 s to 12 s), 900 updates',
		{
			executions: [{ process: 0, items: 900 }],
			limit: [
				[0, 60],
				[4000, 30],
				[12000, 60],
			],
		},
	],
	[
		'Two processes, rate-limit headers on every answer',
		{ executions: processes(2), headers: true },
	],
	['A node limited to 6/s, 60 updates', { executions: [{ process: 0, items: 60, nodeRate: 6 }] }],
];

const { values: flags } = parseArgs({
	options: { save: { type: 'boolean' }, seeds: { type: 'string' } },
});

async function main() {
	const started = new Date();
	const loadBefore = loadavg()[0];
	const seeds = Array.from(
		{ length: countSetting(flags.seeds, 'BENCH_SEEDS', 9) },
		(_, i) => i + 1,
	);
	const rows: string[][] = [
		[
			'Case',
			'Updates/s',
			'429s',
			'429s, worst seed',
			'Most sent by one process in 1 s',
			'Lost',
			'Written twice',
		],
	];
	for (const [label, options] of MODEL_CASES) {
		const results: SimResult[] = [];
		for (const seed of seeds) results.push(await simulate({ ...options, seed }));
		const m = (value: (r: SimResult) => number) => median(results.map(value));
		rows.push([
			label,
			fmt(
				m((r) => r.updatesPerSecond),
				1,
			),
			`${fmt(
				m((r) => (100 * r.throttled) / r.requests),
				1,
			)} %`,
			`${fmt(Math.max(...results.map((r) => (100 * r.throttled) / r.requests)), 1)} %`,
			fmt(Math.max(...results.map((r) => r.peakSentPerSecond))),
			fmt(Math.max(...results.map((r) => r.lost))),
			fmt(Math.max(...results.map((r) => r.writtenTwice))),
		]);
	}
	const result: BenchResult = {
		id: 'model',
		benchmark: 'model',
		title: "The throttle's model: a 60/s bucket one second deep, 100 ms latency",
		command: 'npm run bench:model',
		runs: seeds.length,
		...runFacts(started, loadBefore),
		table: rows,
		notes: [
			'Updates/s and 429s: medians over the seeds; updates/s counts users written / (first request → last answer), so the bucket’s first full second lets it pass 60. Lost, written twice and most in 1 s: the worst seed (most in 1 s counted where requests leave).',
		],
	};
	process.stdout.write(
		[`### ${result.title}`, '', describeRun(result), '', ...markdownTable(rows), ''].join('\n'),
	);
	if (flags.save) process.stderr.write(`saved ${await saveResult(result)}\n`);
}

void main();

/**
 * Writes bench/README.md from the saved results (bench/results/*.json), and the benchmark
 * summary of the main README (between its bench-summary markers), so neither can drift from
 * what the benchmarks printed: `npm run bench:readme` (`npm run bench:all` runs it at the end).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { type BenchResult, describeRun, loadResults, markdownTable } from './lib/results';

const ROOT = join(__dirname, '..');

/** What each benchmark measures and how to run it; the table follows. */
const SECTIONS: Array<{ id: string; heading: string; text: string[] }> = [
	{
		id: 'model',
		heading: "The throttle's model",
		text: [
			'`bench/lib/simulate.ts` runs the real `Throttle` and `Pacer` (`nodes/Appcues/transport/`) in virtual time: processes with their own throttle (starting together, or up to half a second apart with latency that varies, as queue-mode workers do), executions sharing one, the client’s retry rule for 429, Appcues’ limit as a token bucket holding one second of traffic (checked when a request arrives, after 100 ms), random 429s, a foreign client, a limit that changes during the run, and rate-limit headers. It takes seconds and needs no n8n; `test/nodes/Appcues/transport/throttle.test.ts` holds the throttle to the same cases (two processes under 5 % 429s, and when they do not start together under 3 % in the median and 6 % with every seed; a foreign client under 3 % in the median; 30 % random 429s above 35 updates/s; nothing lost or written twice, never more than 60 requests in any second).',
			'Run: `npm run bench:model`.',
		],
	},
	{
		id: 'throughput-2.41.1',
		heading: 'Throughput in n8n 2.41.1',
		text: [
			'300 profile updates through real n8n, the package installed as a community package, against the fake Appcues API (100 ms latency, a 60/s token bucket per account, 429 without Retry-After): the Appcues node at its defaults; n8n’s HTTP Request node at its defaults and with Batching 60 items / 1 s (the best hand-tuned setting); both with 30 % of requests answered 429 at random (the HTTP Request node with Retry On Fail); the Appcues node beside a foreign client taking 30 requests per second of the account; two executions at once in one n8n process; and a burst of 300 signed webhook deliveries into Appcues Trigger → Update Profile, against the same burst into No Operation. Rounds interleave the cases, so drift of the machine hits all alike. The cases are in `bench/throughput/cases.ts`.',
			'Run: `npm run bench:throughput` (`-- --cases ours,http-batch --runs 1` for a quick look).',
		],
	},
	{
		id: 'throughput-2.8.4',
		heading: 'Throughput in n8n 2.8.4',
		text: [
			'The same benchmark in the oldest supported n8n: the Appcues node at its defaults and with 30 % random 429s, against the HTTP Request node.',
			'Run: `npm run bench:throughput -- --n8n 2.8.4 --cases ours,ours-faults,http-default,http-batch`.',
		],
	},
	{
		id: 'start-2.41.1',
		heading: 'Start of the node',
		text: [
			'The time from the start of the Appcues node to its first request in n8n 2.41.1, for the 300-item Update Profile workflow of the throughput benchmark: in a new `n8n execute` process, as the throughput benchmark measures it, and for a second, identical node in the same process, as in an n8n that has run a workflow before. Every item is read and checked before the first request leaves; one more run under `node --cpu-prof` shows what that pass spends its time on.',
			'Run: `npm run bench:profile` (`-- --n8n 2.8.4` for the oldest supported n8n).',
		],
	},
	{
		id: 'queue-2.41.1',
		heading: 'Queue mode',
		text: [
			'Two executions of the 300-item workflow started at once on the two workers of an n8n 2.41.1 queue-mode topology (Redis, PostgreSQL, main, two workers, a webhook processor: `test/e2e/lib/queue.ts`), against one account of the fake. Each worker has its own throttle and nothing is shared between them, so this is where the throttle’s reaction to 429s matters; each round also runs one execution alone on one worker, as a same-machine baseline.',
			'Run: `npm run bench:queue` (Redis and PostgreSQL are installed with apt-get on first use).',
		],
	},
	{
		id: 'bulk-import',
		heading: 'Bulk import',
		text: [
			'100,000 profile rows (14 properties each) from input items through the Appcues node (n8n-core’s `WorkflowExecute`), against the floor of serialising the same rows once; one PATCH per row for comparison; and a 157 MB CSV imported from a file in real n8n, against the same workflow ending in No Operation.',
			'Run: `npm run bench`.',
		],
	},
	{
		id: 'trigger-memory',
		heading: "The trigger's memory",
		text: [
			'What the Appcues Trigger’s duplicate and replay memory costs each delivery in real n8n: the trigger workflow published, its static data filled with 0, 10,000 and 20,000 remembered keys (the most it keeps: 10,000 event ids and 10,000 body-only digests), then signed deliveries of new events one after the other, each starting a run, so each rewrites the memory and n8n saves it (n8n also loads that row on every request).',
			'Run: `npm run bench:trigger`.',
		],
	},
];

function cell(result: BenchResult | undefined, rowStart: string, column: string): string {
	if (!result) return 'n/a';
	const [header, ...rows] = result.table;
	const row = rows.find((r) => r[0].startsWith(rowStart));
	const index = header.indexOf(column);
	return (row && index >= 0 && row[index]) || 'n/a';
}

/** Five lines for the main README, each figure taken from a saved result. */
function summary(results: Map<string, BenchResult>): string[] {
	const t = results.get('throughput-2.41.1');
	const s = results.get('start-2.41.1');
	const q = results.get('queue-2.41.1');
	const b = results.get('bulk-import');
	const ours = (column: string) => cell(t, 'Appcues node, defaults', column);
	const faults = (column: string) => cell(t, 'Appcues node, defaults, 30 %', column);
	const kept =
		faults('Never written') === '0' && faults('Written twice') === '0'
			? 'nothing lost or written twice'
			: `${faults('Never written')} lost and ${faults('Written twice')} written twice`;
	const httpLost = cell(t, 'HTTP Request node, defaults', 'Never written');
	const bulk =
		cell(b, 'node work in execute()', 'Result').match(/\*\*([\d.]+ x)\*\*/)?.[1] ?? 'n/a';
	// Figures taken on a busy machine are not those of a quiet one: each line says its load.
	const load = (result: BenchResult | undefined) =>
		result ? `load ${result.loadBefore} before and ${result.loadAfter} after` : 'not run';
	return [
		`- One execution at the defaults: ${ours('Updates/s')} updates/s against Appcues' 60/s, at most ${ours('Most in 1 s')} requests in any second, the first request ${ours('First request')} after the node starts (n8n 2.41.1, 300 updates, 100 ms latency, each run a new \`n8n execute\` process; ${load(t)}). In an n8n that has run a workflow before, the first request leaves ${cell(s, 'A second', 'First request')} after the node starts, ${cell(s, 'A second', 'Garbage collection in it')} of it n8n's garbage collection (${load(s)}).`,
		`- With 30 % of requests refused at random: ${faults('Updates/s')} updates/s, ${kept}; beside a foreign client taking 30/s: ${cell(t, 'Appcues node, defaults, a foreign', 'Updates/s')} updates/s (${load(t)}).`,
		`- Two queue-mode workers on one account: ${cell(q, 'Two executions', 'Updates/s')} updates/s with ${cell(q, 'Two executions', '429s')} requests answered 429 (${load(q)}).`,
		`- n8n's HTTP Request node: ${cell(t, 'HTTP Request node, Batching', 'Updates/s')} updates/s best hand-tuned (Batching 60 items / 1 s); at its defaults ${httpLost} of 300 profiles were never written (${load(t)}).`,
		`- Bulk import of 100,000 rows: the node's work is ${bulk} the cost of serialising the rows once (${load(b)}). Every figure, its date, load and command: [bench/README.md](bench/README.md).`,
	];
}

async function main() {
	const results = new Map((await loadResults()).map((result) => [result.id, result]));
	const lines = [
		'# Benchmarks',
		'',
		'<!-- Written by `npm run bench:readme` from bench/results/*.json: edit bench/readme.ts, not this file. -->',
		'',
		'Each table below is the last saved run of one benchmark: medians of three runs (the model: of nine seeds), with the date, the n8n version and the machine’s load average before and after. The figures of the real-n8n benchmarks are only comparable within one table: run them on an otherwise idle machine. `npm run bench:all` runs the whole set (about 30 minutes on 2 cores), saves every result and writes this file; `npm run bench:readme` rewrites it from the saved results.',
		'',
		'The benchmarks print figures and assert nothing; the targets they report are the project’s. Unit tests never time anything. `npm run bench:profile` shows where the time goes between the start of the node and its first request in real n8n (the read-and-check pass under `node --cpu-prof`, by function), how much of that delay n8n’s own garbage collection took, and the same delay for a second, identical node in the same process, once n8n and the node have run (after a pause, so the first node’s requests do not hold it back).',
		'',
	];
	for (const section of SECTIONS) {
		const result = results.get(section.id);
		lines.push(`## ${section.heading}`, '', ...section.text.flatMap((t) => [t, '']));
		if (!result) {
			lines.push('No saved run yet.', '');
			continue;
		}
		lines.push(
			`**${result.title}.** ${describeRun(result)}. Reproduce: \`${result.command}\`.`,
			'',
			...markdownTable(result.table),
			'',
			...result.notes.map((note) => `- ${note}`),
			'',
		);
	}
	await writeFile(join(ROOT, 'bench', 'README.md'), `${lines.join('\n').trimEnd()}\n`);

	const readmePath = join(ROOT, 'README.md');
	const readme = await readFile(readmePath, 'utf8');
	const start = '<!-- bench-summary:start -->';
	const end = '<!-- bench-summary:end -->';
	if (readme.includes(start) && readme.includes(end)) {
		const before = readme.slice(0, readme.indexOf(start) + start.length);
		const after = readme.slice(readme.indexOf(end));
		await writeFile(readmePath, `${before}\n${summary(results).join('\n')}\n${after}`);
	}
	process.stderr.write('wrote bench/README.md and the summary in README.md\n');
}

void main();

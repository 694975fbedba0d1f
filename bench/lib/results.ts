/**
 * The result files the benchmarks write with --save (bench/results/<id>.json): one table each,
 * with what bench/README.md says about the run (date, n8n version, medians of how many runs,
 * the load before and after). bench/readme.ts writes bench/README.md from them, so the figures
 * there are always those of the last saved run.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(__dirname, '..', 'results');

export interface BenchResult {
	/** The file name: `throughput-2.41.1`, `queue-2.41.1`, `start-2.41.1`, `bulk-import`, `model`. */
	id: string;
	/** The benchmark, as bench/readme.ts knows it (its text and its order). */
	benchmark: 'throughput' | 'queue' | 'bulk-import' | 'model' | 'trigger' | 'start';
	title: string;
	/** The command that reproduces it. */
	command: string;
	n8n?: string;
	/** ISO date and time the run started. */
	date: string;
	/** Each figure is the median of this many runs (seeds for the model). */
	runs: number;
	loadBefore: number;
	loadAfter: number;
	cores: number;
	/** Node.js of the driver. */
	node: string;
	/** Header row first. */
	table: string[][];
	/** Short lines under the table: targets, how a figure is counted. */
	notes: string[];
}

/** What every result says about the machine and the run, with the load measured now as the end. */
export function runFacts(started: Date, loadBefore: number) {
	return {
		date: started.toISOString(),
		loadBefore: Number(loadBefore.toFixed(2)),
		loadAfter: Number(loadavg()[0].toFixed(2)),
		cores: availableParallelism(),
		node: process.version,
	};
}

export async function saveResult(result: BenchResult): Promise<string> {
	await mkdir(RESULTS_DIR, { recursive: true });
	const file = join(RESULTS_DIR, `${result.id}.json`);
	await writeFile(file, `${JSON.stringify(result, null, '\t')}\n`);
	return file;
}

export async function loadResults(): Promise<BenchResult[]> {
	const files = (await readdir(RESULTS_DIR).catch(() => [] as string[])).filter((file) =>
		file.endsWith('.json'),
	);
	return await Promise.all(
		files.map(async (file) => JSON.parse(await readFile(join(RESULTS_DIR, file), 'utf8'))),
	);
}

/** A markdown table from rows, the header first. */
export function markdownTable(rows: string[][]): string[] {
	const [header, ...body] = rows;
	const numeric = header.map(
		(_, column) =>
			body.length > 0 &&
			body.every((row) => /^[-+]?[\d.,]+( ?%| ms| s)?$|^n\/a$/.test(row[column] ?? '')),
	);
	return [
		`| ${header.join(' | ')} |`,
		`|${numeric.map((right) => (right ? '---:' : '---')).join('|')}|`,
		...body.map((row) => `| ${row.join(' | ')} |`),
	];
}

/** "2026-12-06 14:02 UTC, n8n 2.41.1, median of 3 runs, load 0.4 before and 1.1 after (2 cores)". */
export function describeRun(result: BenchResult): string {
	return [
		`${result.date.slice(0, 16).replace('T', ' ')} UTC`,
		result.n8n ? `n8n ${result.n8n}` : undefined,
		result.benchmark === 'model'
			? `median of ${result.runs} seeds`
			: `median of ${result.runs} run${result.runs === 1 ? '' : 's'}`,
		`load ${result.loadBefore} before and ${result.loadAfter} after (${result.cores} cores)`,
		`Node ${result.node}`,
	]
		.filter(Boolean)
		.join(', ');
}

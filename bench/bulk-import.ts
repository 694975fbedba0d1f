/**
 * Bulk import benchmark (`npm run bench`): 100,000 profile rows from input items through the
 * Appcues node (n8n-core's WorkflowExecute) against the fake Appcues API running in its own
 * process, BENCH_RUNS times (3; the table shows medians), against the floor of serialising the
 * same rows once; then 1,000 of the same profiles sent one PATCH at a time at the default
 * throttle; then a file import in real n8n 2.41.1 (BENCH_FILE=0 skips it). --save writes
 * bench/results/bulk-import.json for bench/README.md.
 *
 * Prints figures; asserts nothing. Run with `node --expose-gc --import tsx` (the npm script
 * does) so the memory baseline is taken after a full collection. Memory is heapUsed + external
 * (Buffers), sampled every 2 ms and just before each request is sent.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { Appcues } from '../nodes/Appcues/Appcues.node.ts';
import { AppcuesClient } from '../nodes/Appcues/transport/client';
import { runAppcuesNode } from '../test/support/run-node';
import { DEFAULT_ACCOUNT } from '../test/fake-appcues/server';
import { appcuesCredentials, NODE_TYPE, SANDBOX_CREDENTIAL } from '../test/e2e/lib/appcues';
import {
	createN8nSandbox,
	disposeAll,
	packPackage,
	stripAnsi,
	type N8nVersion,
	type WorkflowJson,
	type WorkflowNode,
} from '../test/e2e/lib/n8n';
import { startFakeProcess } from './lib/fake-process';
import { median } from './lib/report';
import { type BenchResult, describeRun, markdownTable, runFacts, saveResult } from './lib/results';
import { countSetting, progressLog } from './lib/settings';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const PER_ITEM_ROWS = Number(process.env.BENCH_PER_ITEM_ROWS ?? 1_000);
/** The node's run is measured this often; the table shows medians. */
const RUNS = countSetting(undefined, 'BENCH_RUNS', 3);
/** --save: write bench/results/bulk-import.json for bench/README.md. */
const SAVE = process.argv.includes('--save');
const log = progressLog('bench');
// Appcues' 20 MB body limit, in the node's decimal megabytes.
const MAX_BODY = 20_000_000;
const root = join(__dirname, '..');

function profile(n: number): IDataObject {
	return {
		employee_id: `emp-${String(n).padStart(7, '0')}`,
		email: `person.${n}@example-corp.com`,
		first_name: `First${n}`,
		last_name: `Last${n}`,
		department: ['Engineering', 'Sales', 'Support', 'Finance', 'People'][n % 5],
		title: ['Engineer', 'Manager', 'Director', 'Analyst'][n % 4],
		location: ['Berlin', 'Austin', 'Lisbon', 'Toronto', 'Sydney', 'Singapore'][n % 6],
		manager_id: `emp-${String(Math.floor(n / 7)).padStart(7, '0')}`,
		start_date: new Date(Date.UTC(2015, 0, 1) + (n % 3650) * 86_400_000).toISOString().slice(0, 10),
		plan: ['free', 'pro', 'enterprise'][n % 3],
		seats: n % 250,
		is_admin: n % 17 === 0,
		cost_center: `CC-${1000 + (n % 90)}`,
		language: ['en', 'de', 'pt', 'fr'][n % 4],
	};
}

/** CPU time of this process (all threads: JIT, GC), in ms: steadier than wall time on a busy machine. */
function cpuMs(): number {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
}

/** Serialises every row as the node sends it (`{...properties, user_id}`) and counts its bytes. */
function ndjsonFloor(items: IDataObject[]): number {
	let bytes = 0;
	for (const item of items) {
		const { employee_id, ...rest } = item;
		bytes += Buffer.byteLength(JSON.stringify({ ...rest, user_id: employee_id })) + 1;
	}
	return bytes;
}

function memory() {
	const usage = process.memoryUsage();
	// `external` already includes `arrayBuffers` (Buffers live there).
	return usage.heapUsed + usage.external;
}

function gc() {
	(globalThis as { gc?: () => void }).gc?.();
}

/**
 * Full collections until `external` has not fallen for half a second (at most 3 s): memory
 * behind the last run's bodies is released a few hundred milliseconds after that run, not by the
 * collection itself, and would otherwise count in the next run's baseline and hide its peak.
 */
async function settledGc() {
	let lowest = Infinity;
	for (let round = 0, calm = 0; round < 30 && calm < 5; round++) {
		gc();
		const external = process.memoryUsage().external;
		calm = external < lowest ? 0 : calm + 1;
		lowest = Math.min(lowest, external);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	gc();
}

// Decimal megabytes, as the node counts them.
const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

/**
 * Takes the memory baseline when n8n hands the items to the node: what n8n itself holds for the
 * input items (its wrappers, run data) is their footprint, not the node's work. Also times the
 * node's execute() from start to end, and the baseline's own time (its collections), which the
 * run's wall time leaves out.
 */
function baselineAtNodeStart(onStart: () => Promise<void>): {
	restore: () => void;
	executeMs: () => number;
	executeCpuMs: () => number;
	baselineMs: () => number;
} {
	const original = Appcues.prototype.execute;
	let executeMs = 0;
	let executeCpuMs = 0;
	let baselineMs = 0;
	Appcues.prototype.execute = async function (this: ThisParameterType<typeof original>) {
		const baselineStarted = performance.now();
		await onStart();
		baselineMs += performance.now() - baselineStarted;
		const started = performance.now();
		const cpuStarted = cpuMs();
		try {
			return await original.call(this);
		} finally {
			executeMs += performance.now() - started;
			executeCpuMs += cpuMs() - cpuStarted;
		}
	} as typeof original;
	return {
		restore: () => {
			Appcues.prototype.execute = original;
		},
		executeMs: () => executeMs,
		executeCpuMs: () => executeCpuMs,
		baselineMs: () => baselineMs,
	};
}

/** Counts time spent inside the transport (HTTP round trips, retries, throttle waits). */
function instrumentTransport(onRequest: () => void) {
	const stats = { requests: 0, requestMs: 0 };
	const original = AppcuesClient.prototype.requestFull;
	AppcuesClient.prototype.requestFull = async function (
		this: AppcuesClient,
		...args: Parameters<typeof original>
	) {
		// The moment the body is complete, before it is sent: a peak for memory.
		onRequest();
		const started = performance.now();
		try {
			return await original.apply(this, args);
		} finally {
			stats.requests++;
			stats.requestMs += performance.now() - started;
		}
	} as typeof original;
	return stats;
}

/**
 * File import memory in real n8n (regular mode, binary data on the filesystem, `n8n execute`):
 * Read/Write Files from Disk (a CSV of about 157 MB) -> Appcues Import Profiles from the file
 * (multipart), against the same workflow ending in a No Operation node. Peak RSS of the `n8n
 * execute` process is read from `process.resourceUsage().maxRSS` at its exit (a preload script).
 */
const FILE_BENCH_BYTES = Number(process.env.BENCH_FILE_MB ?? 157) * 1_000_000;
const FILE_BENCH_VERSION: N8nVersion = '2.41.1';

async function writeBenchCsv(
	path: string,
	targetBytes: number,
): Promise<{ bytes: number; rows: number }> {
	const out = createWriteStream(path);
	const header = `user_id,${Object.keys(profile(0))
		.filter((key) => key !== 'employee_id')
		.join(',')}\n`;
	let bytes = 0;
	let rows = 0;
	const write = async (text: string) => {
		bytes += Buffer.byteLength(text);
		if (!out.write(text)) await once(out, 'drain');
	};
	await write(header);
	while (bytes < targetBytes) {
		const lines: string[] = [];
		for (let n = 0; n < 1000; n++, rows++) {
			const { employee_id, ...rest } = profile(rows);
			lines.push(`${String(employee_id)},${Object.values(rest).map(String).join(',')}`);
		}
		await write(`${lines.join('\n')}\n`);
	}
	out.end();
	await once(out, 'finish');
	return { bytes, rows };
}

const PEAK_RSS_PRELOAD = `
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
	if (!process.argv.includes('execute')) return;
	appendFileSync(process.env.BENCH_RSS_FILE, process.pid + ' ' + process.resourceUsage().maxRSS * 1024 + '\\n');
});
`;

async function fileImportMemory(fakeUrl: string): Promise<Array<[string, string]>> {
	const runtime = join(
		root,
		'e2e',
		'runtimes',
		`n8n-${FILE_BENCH_VERSION}`,
		'node_modules',
		'.e2e-runtime-installed',
	);
	if (!existsSync(runtime))
		return [
			[
				'file import in real n8n',
				`skipped: n8n ${FILE_BENCH_VERSION} is not installed (npm run test:e2e installs it)`,
			],
		];
	if (!existsSync(join(root, 'dist')))
		return [['file import in real n8n', 'skipped: run npm run build first']];
	const work = await mkdtemp(join(tmpdir(), 'appcues-bench-file-'));
	const sandbox = await createN8nSandbox(FILE_BENCH_VERSION);
	try {
		const filesDir = join(work, 'files');
		await mkdir(filesDir);
		const csvPath = join(filesDir, 'profiles.csv');
		const csv = await writeBenchCsv(csvPath, FILE_BENCH_BYTES);
		await sandbox.installPackageTarball(await packPackage(root, work));
		await sandbox.importCredentials(appcuesCredentials(fakeUrl));
		const workflow = (
			id: string,
			last: Pick<WorkflowNode, 'name' | 'type' | 'typeVersion' | 'parameters' | 'credentials'>,
		): WorkflowJson => ({
			id,
			name: id,
			nodes: [
				{
					id: `${id}-1`,
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: `${id}-2`,
					name: 'Read File',
					type: 'n8n-nodes-base.readWriteFile',
					typeVersion: 1,
					position: [220, 0],
					parameters: { operation: 'read', fileSelector: csvPath, options: {} },
				},
				{ ...last, id: `${id}-3`, position: [440, 0] },
			],
			connections: {
				Start: { main: [[{ node: 'Read File', type: 'main', index: 0 }]] },
				'Read File': { main: [[{ node: last.name, type: 'main', index: 0 }]] },
			},
		});
		const [importWorkflow, noOpWorkflow] = await sandbox.importWorkflows([
			workflow('BenchFileImport1', {
				name: 'Import Profiles',
				type: NODE_TYPE,
				typeVersion: 1,
				// The fake parses the whole 157 MB before it answers: give it time (Appcues answers at once).
				parameters: {
					resource: 'import',
					operation: 'profiles',
					source: 'binary',
					binaryPropertyName: 'data',
					uploadAs: 'multipart',
					options: { timeoutSeconds: 600 },
				},
				credentials: { appcuesApi: { ...SANDBOX_CREDENTIAL } },
			}),
			workflow('BenchFileNoOp001', {
				name: 'No Operation',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				parameters: {},
			}),
		]);
		const preload = join(work, 'peak-rss.cjs');
		await writeFile(preload, PEAK_RSS_PRELOAD);
		let runNumber = 0;
		const peakRss = async (id: string): Promise<number> => {
			const rssFile = join(work, `${id}-${++runNumber}.rss`);
			const result = await sandbox.executeWorkflow(id, {
				timeoutMs: 600_000,
				env: {
					N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
					N8N_RESTRICT_FILE_ACCESS_TO: filesDir,
					NODE_OPTIONS: `--require ${preload}`,
					BENCH_RSS_FILE: rssFile,
				},
			});
			if (!result.ok)
				throw new Error(`workflow ${id} failed:\n${stripAnsi(result.output).slice(-3000)}`);
			const lines = (await readFile(rssFile, 'utf8')).trim().split('\n');
			return Math.max(...lines.map((line) => Number(line.split(' ')[1])));
		};
		// Interleaved, median of each: n8n's own peak varies by tens of MB from run to run.
		const runs = Number(process.env.BENCH_FILE_RUNS ?? 3);
		const noOp: number[] = [];
		const imported: number[] = [];
		for (let run = 0; run < runs; run++) {
			noOp.push(await peakRss(noOpWorkflow.id));
			imported.push(await peakRss(importWorkflow.id));
		}
		const importRss = median(imported);
		const noOpRss = median(noOp);
		const extra = importRss - noOpRss;
		return [
			[
				'file import in real n8n',
				`n8n ${FILE_BENCH_VERSION}, regular mode, binary data on the filesystem, n8n execute, median of ${runs}`,
			],
			['CSV file', `${mb(csv.bytes)} (${csv.rows.toLocaleString('en-US')} rows)`],
			['peak RSS, Read File -> No Operation', `${mb(noOpRss)} (runs: ${noOp.map(mb).join(', ')})`],
			[
				'peak RSS, Read File -> Import Profiles',
				`${mb(importRss)} (runs: ${imported.map(mb).join(', ')})`,
			],
			[
				'extra memory of the import',
				`${mb(extra)} = ${(extra / csv.bytes).toFixed(2)} x the file (target: at most 0.2 x)`,
			],
		];
	} finally {
		await sandbox.dispose();
		await rm(work, { recursive: true, force: true });
	}
}

async function main() {
	const startedAt = new Date();
	const loadBefore = loadavg()[0];
	// The fake keeps no bodies, so its own memory does not grow with the import.
	const { url, child } = await startFakeProcess();
	const credentials = {
		apiKey: DEFAULT_ACCOUNT.apiKey,
		apiSecret: DEFAULT_ACCOUNT.apiSecret,
		accountId: DEFAULT_ACCOUNT.accountId,
		region: 'custom',
		baseUrl: url,
		legacyApiKey: '',
		webhookSecret: '',
	};
	let peak = 0;
	const sample = () => {
		peak = Math.max(peak, memory());
	};
	const stats = instrumentTransport(sample);
	/** Import Profiles from the input items, the id in their employee_id field. */
	const IMPORT_FROM_ITEMS = {
		resource: 'import',
		operation: 'profiles',
		source: 'items',
		idField: 'employee_id',
	};
	try {
		// Warm up module loading and the connection, so the run measures the import itself.
		await runAppcuesNode({
			parameters: IMPORT_FROM_ITEMS,
			credentials,
			items: [profile(0)],
		});
		stats.requests = 0;
		stats.requestMs = 0;

		const items = Array.from({ length: ROWS }, (_, n) => profile(n));
		// The floor: the same rows serialised to NDJSON once, the least any import must do. Best of
		// three runs (the first warms the JIT), so the ratio below does not flatter the node.
		let ndjsonBytes = 0;
		let floorMs = Infinity;
		let floorCpuMs = Infinity;
		for (let run = 0; run < 3; run++) {
			const floorStarted = performance.now();
			const floorCpuStarted = cpuMs();
			ndjsonBytes = ndjsonFloor(items);
			floorMs = Math.min(floorMs, performance.now() - floorStarted);
			floorCpuMs = Math.min(floorCpuMs, cpuMs() - floorCpuStarted);
		}
		// The node's run, RUNS times: medians of the node's work against the floor.
		const measured: Array<{
			wallMs: number;
			ownMs: number;
			nodeMs: number;
			nodeCpuMs: number;
			extraMemory: number;
			requests: number;
			bytesSent: number;
			largestBody: number;
		}> = [];
		for (let run = 0; run < RUNS; run++) {
			stats.requests = 0;
			stats.requestMs = 0;
			let baseline = 0;
			const nodeTimer = baselineAtNodeStart(async () => {
				await settledGc();
				baseline = memory();
				peak = baseline;
			});
			const sampler = setInterval(sample, 2);
			const started = performance.now();
			const result = await runAppcuesNode({ parameters: IMPORT_FROM_ITEMS, credentials, items });
			const wallMs = performance.now() - started - nodeTimer.baselineMs();
			clearInterval(sampler);
			nodeTimer.restore();
			peak = Math.max(peak, memory());
			if (result.error) throw new Error(result.error.message);
			measured.push({
				wallMs,
				ownMs: wallMs - stats.requestMs,
				// The node alone: its execute() minus HTTP, without n8n's own per-item work around it.
				nodeMs: nodeTimer.executeMs() - stats.requestMs,
				nodeCpuMs: nodeTimer.executeCpuMs(),
				extraMemory: peak - baseline,
				requests: stats.requests,
				bytesSent: result.items.reduce((sum, item) => sum + Number(item.json.bytes), 0),
				largestBody: Math.max(...result.items.map((item) => Number(item.json.bytes))),
			});
			log(
				`run ${run + 1}/${RUNS}: node work ${(measured[run].nodeMs / 1000).toFixed(2)} s = ${(measured[run].nodeMs / floorMs).toFixed(2)} x the floor`,
			);
		}
		const m = (key: keyof (typeof measured)[number]) => median(measured.map((run) => run[key]));
		const wallMs = m('wallMs');
		const ownMs = m('ownMs');
		const nodeMs = m('nodeMs');
		const extraMemory = m('extraMemory');
		const largestBody = m('largestBody');
		const requestsSent = m('requests');
		const expectedRequests = Math.ceil(ndjsonBytes / MAX_BODY);

		// The per-item path: the same profiles, one PATCH each, at the default throttle.
		stats.requests = 0;
		stats.requestMs = 0;
		const perItemStarted = performance.now();
		const perItem = await runAppcuesNode({
			parameters: {
				resource: 'user',
				operation: 'updateProfile',
				userId: '={{ $json.employee_id }}',
				propertiesInput: 'json',
				propertiesJson: '={{ JSON.stringify($json) }}',
			},
			credentials,
			items: items.slice(0, PER_ITEM_ROWS),
		});
		const perItemMs = performance.now() - perItemStarted;
		if (perItem.error) throw new Error(perItem.error.message);

		const ratio = nodeMs / floorMs;
		const table: string[][] = [
			['Figure', 'Result', 'Target'],
			['rows', ROWS.toLocaleString('en-US'), ''],
			['NDJSON bytes', `${ndjsonBytes.toLocaleString('en-US')} (${mb(ndjsonBytes)})`, ''],
			['requests sent', String(requestsSent), `ceil(bytes / 20 MB) = ${expectedRequests}`],
			[
				'floor: JSON.stringify + byte length of the same rows',
				`${(floorMs / 1000).toFixed(2)} s wall, ${(floorCpuMs / 1000).toFixed(2)} s CPU (best of 3)`,
				'',
			],
			[
				'node work in execute(), excluding HTTP',
				`${(nodeMs / 1000).toFixed(2)} s = **${ratio.toFixed(2)} x** the floor (runs: ${measured.map((run) => (run.nodeMs / floorMs).toFixed(2)).join(', ')})`,
				`at most 2 x: ${ratio <= 2 ? 'met' : 'MISSED'}`,
			],
			[
				'node work, CPU time (includes the HTTP client sending the bodies)',
				`${(m('nodeCpuMs') / 1000).toFixed(2)} s = ${(m('nodeCpuMs') / floorCpuMs).toFixed(2)} x the floor's CPU`,
				'',
			],
			[
				'n8n + node work, excluding HTTP',
				`${(ownMs / 1000).toFixed(2)} s (${(ownMs / floorMs).toFixed(2)} x the floor); end to end ${(wallMs / 1000).toFixed(2)} s`,
				'',
			],
			[
				'peak memory above the input items',
				`${mb(extraMemory)} = ${(extraMemory / largestBody).toFixed(2)} x the largest body (${mb(largestBody)}; runs: ${measured.map((run) => (run.extraMemory / run.largestBody).toFixed(2)).join(', ')})`,
				`below 2 x: ${extraMemory / largestBody < 2 ? 'met' : 'MISSED'}`,
			],
			[
				'per-row cost, bulk vs one PATCH per row',
				`${((wallMs / ROWS) * 1000).toFixed(0)} µs vs ${((perItemMs / PER_ITEM_ROWS) * 1000).toFixed(0)} µs (${PER_ITEM_ROWS.toLocaleString('en-US')} rows in ${(perItemMs / 1000).toFixed(1)} s, ${stats.requests} requests)`,
				'',
			],
		];
		if (process.env.BENCH_FILE !== '0') {
			for (const [label, value] of await fileImportMemory(url)) table.push([label, value, '']);
		}
		if (!(globalThis as { gc?: unknown }).gc)
			console.log('(no --expose-gc: the memory baseline is not after a full collection)');
		const result: BenchResult = {
			id: 'bulk-import',
			benchmark: 'bulk-import',
			title: `Bulk import: ${ROWS.toLocaleString('en-US')} profile rows from input items against the serialisation floor`,
			command: 'npm run bench',
			n8n: FILE_BENCH_VERSION,
			runs: RUNS,
			...runFacts(startedAt, loadBefore),
			table,
			notes: [
				"The node in n8n-core's WorkflowExecute against the fake Appcues API in its own process. Memory: heapUsed + external, from full collections when n8n hands the items to the node (repeated until V8 has released the last run's memory; the times leave these collections out), sampled every 2 ms and before each request. The file import runs in real n8n (peak RSS of `n8n execute`, interleaved runs).",
			],
		};
		console.log(
			[`### ${result.title}`, '', describeRun(result), '', ...markdownTable(table)].join('\n'),
		);
		if (SAVE) log(`saved ${await saveResult(result)}`);
	} finally {
		child.kill('SIGTERM');
		await disposeAll();
	}
}

void main()
	.catch((error) => {
		console.error(error);
		process.exitCode = 1;
	})
	// Every process and server is stopped by now; leftover idle handles (keep-alive sockets of the
	// HTTP agents) must not keep the benchmark waiting.
	.finally(() => process.exit());

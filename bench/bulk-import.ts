/**
 * Bulk import benchmark (`npm run bench`): 100,000 profile rows from input items through the
 * Appcues node (n8n-core's WorkflowExecute) against the fake Appcues API running in its own
 * process, then 1,000 of the same profiles sent one PATCH at a time at the default throttle.
 *
 * Prints figures; asserts nothing. Run with `node --expose-gc --import tsx` (the npm script
 * does) so the memory baseline is taken after a full collection. Memory is heapUsed + external
 * (Buffers), sampled every 2 ms and just before each request is sent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { Appcues } from '../nodes/Appcues/Appcues.node.ts';
import { AppcuesClient } from '../nodes/Appcues/transport/client';
import { runAppcuesNode } from '../test/harness/run-node';
import { DEFAULT_ACCOUNT } from '../test/fake-appcues/server';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const PER_ITEM_ROWS = Number(process.env.BENCH_PER_ITEM_ROWS ?? 1_000);
const MAX_BODY = 20 * 1024 * 1024;
const root = join(__dirname, '..');

async function startFake(): Promise<{ url: string; child: ChildProcess }> {
	const child = spawn(
		process.execPath,
		[join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'test/fake-appcues/cli.ts'), '--seed', 'none', '--port', '0'],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	const [line] = (await once(child.stdout!, 'data')) as [Buffer];
	const { url } = JSON.parse(line.toString().split('\n')[0]);
	// The fake keeps no bodies, so its own memory does not grow with the import.
	await fetch(`${url}/__fake/settings`, { method: 'POST', body: JSON.stringify({ recordBodies: false }) });
	return { url, child };
}

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

function memory() {
	const usage = process.memoryUsage();
	// `external` already includes `arrayBuffers` (Buffers live there).
	return usage.heapUsed + usage.external;
}

function gc() {
	(globalThis as { gc?: () => void }).gc?.();
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Takes the memory baseline when n8n hands the items to the node: what n8n itself holds for the
 * input items (its wrappers, run data) is their footprint, not the node's work.
 */
function baselineAtNodeStart(onStart: () => void): () => void {
	const original = Appcues.prototype.execute;
	Appcues.prototype.execute = async function (this: ThisParameterType<typeof original>) {
		onStart();
		return await original.call(this);
	} as typeof original;
	return () => {
		Appcues.prototype.execute = original;
	};
}

/** Counts time spent inside the transport (HTTP round trips, retries, throttle waits). */
function instrumentTransport(onRequest: () => void) {
	const stats = { requests: 0, requestMs: 0 };
	const original = AppcuesClient.prototype.requestFull;
	AppcuesClient.prototype.requestFull = async function (this: AppcuesClient, ...args: Parameters<typeof original>) {
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

async function main() {
	const { url, child } = await startFake();
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
	try {
		// Warm up module loading and the connection, so the run measures the import itself.
		await runAppcuesNode({
			parameters: { resource: 'import', operation: 'profiles', source: 'items', idField: 'employee_id' },
			credentials,
			items: [profile(0)],
		});
		stats.requests = 0;
		stats.requestMs = 0;

		const items = Array.from({ length: ROWS }, (_, n) => profile(n));
		const ndjsonBytes = items.reduce((sum, item) => {
			const { employee_id, ...rest } = item;
			return sum + Buffer.byteLength(JSON.stringify({ ...rest, user_id: employee_id })) + 1;
		}, 0);
		let baseline = 0;
		const restore = baselineAtNodeStart(() => {
			gc();
			baseline = memory();
			peak = baseline;
		});
		const sampler = setInterval(sample, 2);

		const started = performance.now();
		const result = await runAppcuesNode({
			parameters: { resource: 'import', operation: 'profiles', source: 'items', idField: 'employee_id' },
			credentials,
			items,
		});
		const wallMs = performance.now() - started;
		clearInterval(sampler);
		restore();
		peak = Math.max(peak, memory());
		const extraMemory = peak - baseline;
		if (result.error) throw new Error(result.error.message);

		const requestsSent = stats.requests;
		const bytesSent = result.items.reduce((sum, item) => sum + Number(item.json.bytes), 0);
		const largestBody = Math.max(...result.items.map((item) => Number(item.json.bytes)));
		const ownMs = wallMs - stats.requestMs;
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

		const bulkPerRowMs = wallMs / ROWS;
		const perItemPerRowMs = perItemMs / PER_ITEM_ROWS;
		const report = [
			['rows', ROWS.toLocaleString('en-US')],
			['NDJSON bytes', `${ndjsonBytes.toLocaleString('en-US')} (${mb(ndjsonBytes)})`],
			['requests sent', `${requestsSent} (ceil(bytes / 20 MB) = ${expectedRequests})`],
			['bytes sent', `${bytesSent.toLocaleString('en-US')}`],
			['largest request body', mb(largestBody)],
			['wall time, end to end', `${(wallMs / 1000).toFixed(2)} s`],
			['wall time, node\'s own work (excl. HTTP)', `${(ownMs / 1000).toFixed(2)} s`],
			['peak memory above the input items', `${mb(extraMemory)} (${(extraMemory / largestBody).toFixed(2)} x the largest body)`],
			['per-item PATCH path', `${PER_ITEM_ROWS} rows in ${(perItemMs / 1000).toFixed(1)} s (${stats.requests} requests)`],
			['per-row cost, bulk', `${(bulkPerRowMs * 1000).toFixed(1)} µs`],
			['per-row cost, per item', `${(perItemPerRowMs * 1000).toFixed(1)} µs`],
			['ratio bulk / per item', `${(bulkPerRowMs / perItemPerRowMs).toExponential(2)} (bulk is ${(perItemPerRowMs / bulkPerRowMs).toFixed(0)}x cheaper per row)`],
		];
		const width = Math.max(...report.map(([label]) => label.length));
		if (!(globalThis as { gc?: unknown }).gc) console.log('(no --expose-gc: the memory baseline is not after a full collection)');
		console.log('\nBulk import benchmark (Node ' + process.version + ')');
		for (const [label, value] of report) console.log(`  ${label.padEnd(width)}  ${value}`);
	} finally {
		child.kill('SIGTERM');
	}
}

void main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});

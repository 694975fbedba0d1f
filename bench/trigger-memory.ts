/**
 * What the trigger's memory costs each delivery in real n8n (`npm run bench:trigger`): the trigger
 * workflow published in n8n, its static data filled with 0, 10,000 and 20,000 remembered keys (the
 * most it keeps: 10,000 event ids and 10,000 body-only digests), then deliveries of new signed
 * events one after the other. Each starts a run, so each makes the trigger write its memory and
 * n8n save it (and n8n loads that row on every request). Prints the answer time of a delivery
 * (median and 90th percentile), the size of the stored memory, and the difference to an empty one.
 *
 *   npm run bench:trigger                                   # n8n 2.41.1 and 2.8.4, 3 runs
 *   node --import tsx bench/trigger-memory.ts --runs 1 --n8n 2.8.4 --deliveries 50
 *   ... --save                                              # bench/results/trigger-memory.json
 *
 * Prints figures; asserts nothing.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import {
	appcuesCredentials,
	loadWorkflows,
	signDelivery,
	triggerWebhookPath,
	WEBHOOK_SECRET,
} from '../test/e2e/lib/appcues';
import { createN8nSandbox, disposeAll, packPackage, type N8nVersion } from '../test/e2e/lib/n8n';
import { DEFAULT_ACCOUNT as ACCOUNT, FakeAppcues } from '../test/fake-appcues/server';
import { seedDemoData } from '../test/fake-appcues/seed';
import { fmt, median } from './lib/report';
import { type BenchResult, describeRun, markdownTable, runFacts, saveResult } from './lib/results';
import { countSetting, progressLog } from './lib/settings';

const { values: flags } = parseArgs({
	options: {
		runs: { type: 'string' },
		deliveries: { type: 'string' },
		n8n: { type: 'string', multiple: true },
		save: { type: 'boolean' },
	},
});
const RUNS = countSetting(flags.runs, 'BENCH_RUNS', 3);
const DELIVERIES = countSetting(flags.deliveries, 'BENCH_DELIVERIES', 100);
const VERSIONS = (flags.n8n ?? ['2.41.1', '2.8.4']) as N8nVersion[];
const SIZES = [0, 10_000, 20_000];
const MEMORY_KEY = 'node:Appcues Trigger';

const log = progressLog('bench:trigger');

function percentile(values: number[], share: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}

/** What a full memory holds: event ids and body-only digests, all far from expiring. */
function rememberedKeys(count: number): Array<[string, number]> {
	const until = Date.now() + 20 * 3_600_000;
	return Array.from({ length: count }, (_, i) =>
		i % 2 ? [`body:${String(i).padStart(32, '0')}`, until + i] : [`id:"evt-bench-${i}"`, until + i],
	);
}

interface Figures {
	medianMs: number[];
	p90Ms: number[];
	storedKb: number;
}

async function measure(version: N8nVersion, tarball: string): Promise<Map<number, Figures>> {
	const fake = new FakeAppcues({ accounts: [ACCOUNT], seed: seedDemoData });
	await fake.start();
	const n8n = await createN8nSandbox(version);
	const figures = new Map<number, Figures>();
	try {
		await n8n.installPackageTarball(tarball);
		await n8n.importCredentials(appcuesCredentials(fake.url, ACCOUNT));
		const trigger = loadWorkflows().trigger;
		await n8n.importWorkflows([trigger]);
		await n8n.publishWorkflow(trigger.id);
		const path = triggerWebhookPath(trigger);
		for (let run = 1; run <= RUNS; run++) {
			// n8n 2.8.4 keeps an active trigger's static data in memory and the trigger merges what it
			// finds there with the saved row, so a smaller memory written to the database would not
			// take: each run starts n8n afresh, and sizes only grow within a run.
			await n8n.stop();
			await n8n.setWorkflowStaticData(trigger.id, {});
			const server = await n8n.start();
			await server.waitForWebhook(path);
			for (const size of SIZES) {
				const stored = (await n8n.workflowStaticData(trigger.id)) ?? {};
				const memory = (stored[MEMORY_KEY] ?? {}) as Record<string, unknown>;
				await n8n.setWorkflowStaticData(trigger.id, {
					...stored,
					[MEMORY_KEY]: { ...memory, seenEventIds: rememberedKeys(size) },
				});
				const times: number[] = [];
				for (let i = 0; i < DELIVERIES; i++) {
					const body = JSON.stringify({
						id: `evt-${run}-${size}-${i}`,
						name: 'appcues:nps_score',
						user_id: `bench-${i}`,
						attributes: { score: 9 },
					});
					const started = performance.now();
					const res = await fetch(`${server.baseUrl}/webhook/${path}`, {
						method: 'POST',
						headers: signDelivery(WEBHOOK_SECRET, body),
						body,
					});
					await res.text();
					if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
					times.push(performance.now() - started);
				}
				const bytes = JSON.stringify((await n8n.workflowStaticData(trigger.id)) ?? {}).length;
				const entry = figures.get(size) ?? { medianMs: [], p90Ms: [], storedKb: 0 };
				entry.medianMs.push(median(times));
				entry.p90Ms.push(percentile(times, 0.9));
				entry.storedKb = bytes / 1024;
				figures.set(size, entry);
				log(
					`n8n ${version} run ${run}: ${size} keys: median ${fmt(median(times), 1)} ms, p90 ${fmt(percentile(times, 0.9), 1)} ms, stored ${fmt(bytes / 1024)} KB`,
				);
			}
		}
		return figures;
	} finally {
		await n8n.dispose();
		await fake.close();
	}
}

async function main() {
	const started = new Date();
	const loadAtStart = loadavg()[0];
	const tarball = await packPackage();
	const table: string[][] = [
		[
			'n8n',
			'Keys remembered',
			'Stored',
			'Answer, median (ms)',
			'Answer, p90 (ms)',
			'More than empty (ms)',
		],
	];
	for (const version of VERSIONS) {
		const figures = await measure(version, tarball);
		const empty = median(figures.get(0)?.medianMs ?? []);
		for (const size of SIZES) {
			const entry = figures.get(size)!;
			table.push([
				version,
				size.toLocaleString('en-US'),
				`${fmt(entry.storedKb)} KB`,
				fmt(median(entry.medianMs), 1),
				fmt(median(entry.p90Ms), 1),
				fmt(median(entry.medianMs) - empty, 1),
			]);
		}
	}
	const result: BenchResult = {
		id: 'trigger-memory',
		benchmark: 'trigger',
		title: `The trigger's memory: ${DELIVERIES} signed deliveries that each start a run, per memory size`,
		command: 'npm run bench:trigger',
		n8n: VERSIONS.join(' and '),
		...runFacts(started, loadAtStart),
		runs: RUNS,
		table,
		notes: [
			'Answer: from sending a delivery to n8n’s 200, which n8n sends once the run is queued and the static data saved.',
			'Stored: the workflow’s static data after the run, JSON (the memory is rewritten whole whenever it changes).',
		],
	};
	console.log(`# ${result.title}\n\n${describeRun(result)}\n`);
	console.log(markdownTable(table).join('\n'));
	if (flags.save) log(`saved ${await saveResult(result)}`);
}

main()
	.catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	})
	.finally(() => disposeAll());

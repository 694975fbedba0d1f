/**
 * What the trigger's memory costs each delivery in real n8n (`npm run bench:trigger`): the trigger
 * workflow published in n8n, its static data filled with 0, 10,000 and 20,000 remembered keys (the
 * most it keeps: 10,000 event ids and 10,000 body-only digests), then deliveries of new signed events
 * one after the other. Each starts a run, so each makes the trigger write its memory and n8n save it
 * (n8n 2.8.x also loads that row on every request). Prints the answer time of a delivery (median
 * and 90th percentile), the size of the stored memory, and the difference to an empty memory.
 *
 *   npm run bench:trigger                                      # n8n 2.41.1 and 2.8.4, 3 runs
 *   node --import tsx bench/trigger-memory.ts --runs 1 --n8n 2.8.4 --deliveries 50
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
import { ACCOUNT } from '../test/e2e/lib/example-checks';
import { createN8nSandbox, disposeAll, packPackage, type N8nVersion } from '../test/e2e/lib/n8n';
import { FakeAppcues } from '../test/fake-appcues/server';
import { seedDemoData } from '../test/fake-appcues/seed';
import { fmt, loadNote, median } from './lib/report';

const { values: flags } = parseArgs({
	options: {
		runs: { type: 'string' },
		deliveries: { type: 'string' },
		n8n: { type: 'string', multiple: true },
	},
});
const RUNS = Number(flags.runs ?? 3);
const DELIVERIES = Number(flags.deliveries ?? 100);
const VERSIONS = (flags.n8n ?? ['2.41.1', '2.8.4']) as N8nVersion[];
const SIZES = [0, 10_000, 20_000];
const MEMORY_KEY = 'node:Appcues Trigger';

const log = (message: string) => console.error(`[bench:trigger] ${message}`);

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

async function measure(version: N8nVersion, tarball: string) {
	const fake = new FakeAppcues({ accounts: [ACCOUNT], seed: seedDemoData });
	await fake.start();
	const n8n = await createN8nSandbox(version);
	try {
		await n8n.installPackageTarball(tarball);
		await n8n.importCredentials(appcuesCredentials(fake.url, ACCOUNT));
		const trigger = loadWorkflows().trigger;
		await n8n.importWorkflows([trigger]);
		await n8n.publishWorkflow(trigger.id);
		const server = await n8n.start();
		const path = triggerWebhookPath(trigger);
		await server.waitForWebhook(path);
		const rows: string[] = [];
		const answerMs = new Map<number, number[]>();
		for (let run = 1; run <= RUNS; run++) {
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
				answerMs.set(size, [...(answerMs.get(size) ?? []), median(times)]);
				log(
					`n8n ${version} run ${run}: ${size} keys: median ${fmt(median(times), 1)} ms, p90 ${fmt(percentile(times, 0.9), 1)} ms, stored ${fmt(bytes / 1024)} KB`,
				);
				rows.push(
					`| ${version} | ${run} | ${size} | ${fmt(bytes / 1024)} KB | ${fmt(median(times), 1)} | ${fmt(percentile(times, 0.9), 1)} |`,
				);
			}
		}
		const empty = median(answerMs.get(0) ?? []);
		const summary = SIZES.map(
			(size) =>
				`| ${version} | ${size} | ${fmt(median(answerMs.get(size) ?? []), 1)} | ${fmt(median(answerMs.get(size) ?? []) - empty, 1)} |`,
		);
		return { rows, summary };
	} finally {
		await n8n.dispose();
		await fake.close();
	}
}

async function main() {
	const loadAtStart = loadavg()[0];
	const tarball = await packPackage();
	const rows: string[] = [];
	const summary: string[] = [];
	for (const version of VERSIONS) {
		const result = await measure(version, tarball);
		rows.push(...result.rows);
		summary.push(...result.summary);
	}
	console.log(`# Trigger memory: answer time of a delivery that starts a run\n`);
	console.log(
		`${DELIVERIES} deliveries per memory size and run, ${RUNS} runs; ${loadNote(loadAtStart)}.\n`,
	);
	console.log('| n8n | keys remembered | median of run medians (ms) | more than empty (ms) |');
	console.log('|---|---|---|---|');
	for (const row of summary) console.log(row);
	console.log('\n| n8n | run | keys | stored | median (ms) | p90 (ms) |');
	console.log('|---|---|---|---|---|---|');
	for (const row of rows) console.log(row);
}

main()
	.catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	})
	.finally(() => disposeAll());

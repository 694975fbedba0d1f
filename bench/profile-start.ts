/**
 * Where the time goes between the start of the Appcues node and its first request, in real n8n
 * (`npm run bench:profile`): the 300-item Update Profile workflow of the throughput benchmark
 * runs with `n8n execute`, first as it is (node start → first request at the fake, from the run
 * data and the fake's log; also for a second, identical node after it in the same process, where
 * n8n's expression engine and the node's code have run once), then under `node --cpu-prof`. The
 * profile is read back: the time inside the node's read-and-check pass (every item's parameters
 * read and checked before anything is sent) and what it spends it on, by function.
 *
 *   npm run bench:profile                       # n8n 2.41.1, 3 plain runs + 1 profiled
 *   node --import tsx bench/profile-start.ts --n8n 2.8.4 --runs 1   # dist/ built already
 *   node --import tsx bench/profile-start.ts --env N8N_EXPRESSION_ENGINE=legacy   # n8n settings
 *   npm run bench:profile -- --profile-dir /tmp/profiles   # keeps the .cpuprofile files there
 *   node --import tsx bench/profile-start.ts --package old.tgz   # an `npm pack` tarball instead
 *
 * Prints figures (markdown on stdout, progress on stderr); asserts nothing.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

import { appcuesCredentials, SANDBOX_CREDENTIAL } from '../test/e2e/lib/appcues';
import { createN8nSandbox, disposeAll, type N8nVersion, packPackage } from '../test/e2e/lib/n8n';
import { DEFAULT_ACCOUNT } from '../test/fake-appcues/server';
import { startFakeProcess, type RecordedRequestLite } from './lib/fake-process';
import { fmt, loadNote, median } from './lib/report';
import { commonSettings, progressLog } from './lib/settings';
import {
	appcuesUpdateNode,
	benchUserIds,
	profileUserId,
	TARGET_NODE,
	updateProfileWorkflow,
} from './lib/update-profile';

const { values: flags } = parseArgs({
	options: {
		n8n: { type: 'string' },
		runs: { type: 'string' },
		items: { type: 'string' },
		package: { type: 'string' },
		env: { type: 'string', multiple: true },
		'profile-dir': { type: 'string' },
	},
});
/** --env NAME=VALUE (repeatable): n8n settings for the runs, e.g. its expression engine's. */
const N8N_ENV = Object.fromEntries(
	(flags.env ?? []).map((pair) => [
		pair.slice(0, pair.indexOf('=')),
		pair.slice(pair.indexOf('=') + 1),
	]),
);
const VERSION = (flags.n8n ?? process.env.BENCH_N8N_VERSION ?? '2.41.1') as N8nVersion;
const { RUNS, ITEMS, PACKAGE_TGZ } = commonSettings(flags);
const log = progressLog('bench:profile');
/** The second Update node of the plain runs' workflow. */
const AGAIN_NODE = 'Update again';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** Inclusive time (ms) of every call of `root`, and of each function called below it. */
function breakdown(profile: CpuProfile, root: (node: ProfileNode) => boolean) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const self = new Map<number, number>();
	profile.samples.forEach((id, i) =>
		self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000),
	);
	const inclusive = new Map<number, number>();
	const total = (id: number): number => {
		const cached = inclusive.get(id);
		if (cached !== undefined) return cached;
		const node = byId.get(id)!;
		const sum = (self.get(id) ?? 0) + (node.children ?? []).reduce((s, c) => s + total(c), 0);
		inclusive.set(id, sum);
		return sum;
	};
	const name = (node: ProfileNode) => {
		const file = node.callFrame.url.split('/').slice(-2).join('/') || '(native)';
		return `${node.callFrame.functionName || '(anonymous)'} (${file})`;
	};
	const below = new Map<string, number>();
	let rootMs = 0;
	const walk = (id: number, seen: Set<string>) => {
		const node = byId.get(id)!;
		const key = name(node);
		// Recursion counts once.
		if (!seen.has(key)) below.set(key, (below.get(key) ?? 0) + total(id));
		const next = new Set(seen).add(key);
		for (const child of node.children ?? []) walk(child, next);
	};
	for (const node of profile.nodes.filter(root)) {
		rootMs += total(node.id);
		walk(node.id, new Set());
	}
	return { rootMs, below: [...below].sort((a, b) => b[1] - a[1]) };
}

async function main() {
	const work = await mkdtemp(join(tmpdir(), 'bench-profile-'));
	const fake = await startFakeProcess({ rateLimit: 60, latencyMs: 100 });
	const n8n = await createN8nSandbox(VERSION);
	const loadAtStart = (await import('node:os')).loadavg()[0];
	try {
		log(
			`n8n ${VERSION}, ${ITEMS} items, ${RUNS} plain run(s) and one under --cpu-prof` +
				(PACKAGE_TGZ ? `, package ${PACKAGE_TGZ}` : ''),
		);
		await n8n.installPackageTarball(PACKAGE_TGZ ?? (await packPackage(undefined, work)));
		await n8n.importCredentials(appcuesCredentials(fake.url, DEFAULT_ACCOUNT));
		const workflow = updateProfileWorkflow({
			id: 'benchProfileStart',
			name: `Profile: ${ITEMS} x Update Profile`,
			items: ITEMS,
			userPrefix: 'prof',
			nodeIdPrefix: 'd0000000',
			target: appcuesUpdateNode({ id: SANDBOX_CREDENTIAL.id, name: SANDBOX_CREDENTIAL.name }),
		});
		// The plain runs add a second, identical node after the first, on the same items: its start
		// is the node's start in a process where n8n and the node have run once already, as in a
		// long-running n8n.
		const first = workflow.nodes.find((node) => node.name === TARGET_NODE)!;
		const twice = {
			...workflow,
			id: 'benchProfileStartTwice',
			name: `Profile: ${ITEMS} x Update Profile, twice`,
			nodes: [
				...workflow.nodes,
				// To the right of the first: execution order v1 runs sibling branches by position.
				{
					...first,
					id: 'd0000000-0000-4000-8000-000000000009',
					name: AGAIN_NODE,
					position: [first.position[0] + 200, first.position[1]] as [number, number],
				},
			],
			connections: {
				...workflow.connections,
				Split: {
					main: [
						[
							{ node: TARGET_NODE, type: 'main', index: 0 },
							{ node: AGAIN_NODE, type: 'main', index: 0 },
						],
					],
				},
			},
		};
		await n8n.importWorkflows([workflow, twice]);
		const users = new Set(benchUserIds('prof', ITEMS));

		const lags: number[] = [];
		const againLags: number[] = [];
		const run = async (workflowId: string, nodeArgs?: string[]) => {
			await fake.control('reset', {});
			const res = await n8n.executeWorkflow(workflowId, {
				timeoutMs: 240_000,
				env: N8N_ENV,
				nodeArgs,
			});
			const runData = res.run?.data.resultData.runData ?? {};
			const recorded = (await fake.control('requests')) as RecordedRequestLite[];
			const patches = recorded.filter((request) =>
				users.has(profileUserId(request, DEFAULT_ACCOUNT.accountId) ?? ''),
			);
			/** From the node's start to the first PATCH that reached the fake after it. */
			const lag = (node: string) => {
				const start = Number(runData[node]?.at(-1)?.startTime);
				return Math.min(...patches.filter((p) => p.at >= start).map((p) => p.at)) - start;
			};
			return { ok: res.ok, lagMs: lag(TARGET_NODE), againMs: lag(AGAIN_NODE) };
		};
		for (let i = 0; i < RUNS; i++) {
			const { ok, lagMs, againMs } = await run(twice.id);
			lags.push(lagMs);
			againLags.push(againMs);
			log(
				`run ${i + 1}: node start → first request ${fmt(lagMs)} ms; ` +
					`the second node ${fmt(againMs)} ms${ok ? '' : ' (RED)'}`,
			);
		}
		const profileDir = flags['profile-dir'] ?? join(work, 'profiles');
		const profiled = await run(workflow.id, [
			'--cpu-prof',
			`--cpu-prof-dir=${profileDir}`,
			'--cpu-prof-interval=200',
		]);
		log(`profiled run: node start → first request ${fmt(profiled.lagMs)} ms`);

		// The n8n process is the profile that holds the node's code.
		let found: ReturnType<typeof breakdown> | undefined;
		for (const file of await readdir(profileDir)) {
			const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as CpuProfile;
			const result = breakdown(
				profile,
				// ItemChecks.check: one item's read and check, in prepareItems and prepareItemsInTurns.
				(node) =>
					node.callFrame.functionName === 'check' &&
					node.callFrame.url.includes('n8n-nodes-appcues') &&
					node.callFrame.url.endsWith('gather.js'),
			);
			if (result.rootMs > 0 && (!found || result.rootMs > found.rootMs)) found = result;
		}
		const lines = [
			`### Start of the node: ${ITEMS} items, n8n ${VERSION}${flags.env?.length ? ` (${flags.env.join(' ')})` : ''}` +
				(PACKAGE_TGZ ? `, package ${basename(PACKAGE_TGZ)}` : ''),
			'',
			`Node start → first request at the fake (${RUNS} plain runs): median ${fmt(median(lags))} ms ` +
				`(runs: ${lags.map((lag) => fmt(lag)).join(', ')}); under the profiler ${fmt(profiled.lagMs)} ms. ` +
				`A second, identical node after it in the same process: median ${fmt(median(againLags))} ms ` +
				`(runs: ${againLags.map((lag) => fmt(lag)).join(', ')}). ${loadNote(loadAtStart)}.`,
			'',
		];
		if (found) {
			lines.push(
				`Read-and-check pass (every item's check) under the profiler: ${fmt(found.rootMs)} ms in all, ` +
					`${fmt((1000 * found.rootMs) / ITEMS)} µs per item. Inclusive time of what it calls:`,
				'',
				'| Function | ms | share |',
				'|---|---:|---:|',
				...found.below
					.slice(1, 25)
					.map(([fn, ms]) => `| ${fn} | ${fmt(ms, 1)} | ${fmt((100 * ms) / found!.rootMs, 0)} % |`),
			);
		} else {
			lines.push('The profile holds no item check (was the run green?).');
		}
		process.stdout.write(`${lines.join('\n')}\n`);
	} finally {
		fake.child.kill('SIGTERM');
		await disposeAll();
		await rm(work, { recursive: true, force: true });
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		void disposeAll().finally(() => process.exit(1));
	},
);

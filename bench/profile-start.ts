/**
 * Where the time goes between the start of the Appcues node and its first request, in real n8n
 * (`npm run bench:profile`): the 300-item Update Profile workflow of the throughput benchmark
 * runs with `n8n execute`, first as it is (node start → first request at the fake, from the run
 * data and the fake's log; also for a second, identical node in the same process, where n8n's
 * expression engine and the node's code have run once, started after a pause of WAIT_SECONDS so
 * the account's one-second window of the first node's requests is empty and does not hold its
 * first request back), then under `node --cpu-prof`. The profile is read back: the time inside
 * the node's read-and-check pass (every item's parameters read and checked before anything is
 * sent) and what it spends it on, by function.
 *
 *   npm run bench:profile                       # n8n 2.41.1, 3 plain runs + 1 profiled
 *   node --import tsx bench/profile-start.ts --n8n 2.8.4 --runs 1   # dist/ built already
 *   node --import tsx bench/profile-start.ts --env N8N_EXPRESSION_ENGINE=legacy   # n8n settings
 *   npm run bench:profile -- --profile-dir /tmp/profiles   # keeps the .cpuprofile files there
 *   node --import tsx bench/profile-start.ts --package old.tgz   # an `npm pack` tarball instead
 *   npm run bench:profile -- --save   # also bench/results/start-<n8n>.json, for bench/README.md
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
import { type BenchResult, runFacts, saveResult } from './lib/results';
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
		save: { type: 'boolean' },
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
/** The second Update node of the plain runs' workflow, and the Wait node before it. */
const AGAIN_NODE = 'Update again';
const PAUSE_NODE = 'Pause';
/**
 * Longer than the one-second window in which the account allows 60 requests (the first node's
 * last second of requests would otherwise delay the second node's first request by the pacing).
 */
const WAIT_SECONDS = 1.2;

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
	/** Time spent in the package's own code (self time of its functions) below the root. */
	let ownMs = 0;
	const walk = (id: number, seen: Set<string>) => {
		const node = byId.get(id)!;
		const key = name(node);
		if (node.callFrame.url.includes('n8n-nodes-appcues')) ownMs += self.get(id) ?? 0;
		// Recursion counts once.
		if (!seen.has(key)) below.set(key, (below.get(key) ?? 0) + total(id));
		const next = new Set(seen).add(key);
		for (const child of node.children ?? []) walk(child, next);
	};
	for (const node of profile.nodes.filter(root)) {
		rootMs += total(node.id);
		walk(node.id, new Set());
	}
	return { rootMs, ownMs, below: [...below].sort((a, b) => b[1] - a[1]) };
}

/** One node's start in a plain run: node start → first PATCH at the fake, and what filled it. */
interface Start {
	lagMs: number;
	/** Garbage-collection pauses of the n8n process within that time. */
	gcMs: number;
	/** Node start → the first PATCH created in the n8n process (the rest: connection and fake). */
	createdMs: number;
}

type Watched = { gc: number; ms: number } | { request: number; path: string };

/** The lines bench/lib/start-watch.cjs wrote in the n8n process. */
async function readWatch(file: string): Promise<Watched[]> {
	const text = await readFile(file, 'utf8').catch(() => '');
	return text
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as Watched);
}

function inWindow(node: { at: number; lagMs: number }, watched: Watched[]): Start {
	const end = node.at + node.lagMs;
	let gcMs = 0;
	let created = Number.POSITIVE_INFINITY;
	for (const entry of watched) {
		if ('gc' in entry) {
			gcMs += Math.max(0, Math.min(end, entry.gc + entry.ms) - Math.max(node.at, entry.gc));
		} else if (entry.request >= node.at && entry.path.endsWith('/profile')) {
			created = Math.min(created, entry.request);
		}
	}
	return { lagMs: node.lagMs, gcMs, createdMs: created - node.at };
}

const lagsOf = (starts: Start[]) => starts.map((start) => start.lagMs);
const gcOf = (starts: Start[]) => starts.map((start) => start.gcMs);
const createdOf = (starts: Start[]) => starts.map((start) => start.createdMs);
const runsOf = (values: number[]) => values.map((value) => fmt(value)).join(', ');

async function main() {
	const work = await mkdtemp(join(tmpdir(), 'bench-profile-'));
	const fake = await startFakeProcess({ rateLimit: 60, latencyMs: 100 });
	const n8n = await createN8nSandbox(VERSION);
	const loadAtStart = (await import('node:os')).loadavg()[0];
	const started = new Date();
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
		// The plain runs add a second, identical node on the same items, after the first and a
		// pause: its start is the node's start in a process where n8n and the node have run once
		// already, as in a long-running n8n.
		const first = workflow.nodes.find((node) => node.name === TARGET_NODE)!;
		const [x, y] = first.position;
		const twice = {
			...workflow,
			id: 'benchProfileStartTwice',
			name: `Profile: ${ITEMS} x Update Profile, twice`,
			nodes: [
				...workflow.nodes,
				// Below the first: execution order v1 runs sibling branches by position.
				{
					id: 'd0000000-0000-4000-8000-000000000008',
					name: PAUSE_NODE,
					type: 'n8n-nodes-base.wait',
					typeVersion: 1.1,
					position: [x, y + 200] as [number, number],
					parameters: { resume: 'timeInterval', amount: WAIT_SECONDS, unit: 'seconds' },
				},
				{
					...first,
					id: 'd0000000-0000-4000-8000-000000000009',
					name: AGAIN_NODE,
					position: [x + 200, y + 200] as [number, number],
				},
			],
			connections: {
				...workflow.connections,
				Split: {
					main: [
						[
							{ node: TARGET_NODE, type: 'main', index: 0 },
							{ node: PAUSE_NODE, type: 'main', index: 0 },
						],
					],
				},
				[PAUSE_NODE]: { main: [[{ node: AGAIN_NODE, type: 'main', index: 0 }]] },
			},
		};
		await n8n.importWorkflows([workflow, twice]);
		const users = new Set(benchUserIds('prof', ITEMS));

		const firstStarts: Start[] = [];
		const againStarts: Start[] = [];
		const run = async (
			workflowId: string,
			nodeArgs: string[],
			env: Record<string, string> = {},
		) => {
			await fake.control('reset', {});
			const res = await n8n.executeWorkflow(workflowId, {
				timeoutMs: 240_000,
				env: { ...N8N_ENV, ...env },
				nodeArgs,
			});
			const runData = res.run?.data.resultData.runData ?? {};
			const recorded = (await fake.control('requests')) as RecordedRequestLite[];
			const patches = recorded.filter((request) =>
				users.has(profileUserId(request, DEFAULT_ACCOUNT.accountId) ?? ''),
			);
			/** From the node's start to the first PATCH that reached the fake after it. */
			const startOf = (node: string) => {
				const at = Number(runData[node]?.at(-1)?.startTime);
				const reached = Math.min(...patches.filter((p) => p.at >= at).map((p) => p.at));
				return { at, lagMs: reached - at };
			};
			return { ok: res.ok, first: startOf(TARGET_NODE), again: startOf(AGAIN_NODE) };
		};
		for (let i = 0; i < RUNS; i++) {
			const watchFile = join(work, `start-watch-${i}.jsonl`);
			const { ok, ...nodes } = await run(
				twice.id,
				['--require', join(import.meta.dirname, 'lib', 'start-watch.cjs')],
				{ BENCH_START_WATCH: watchFile },
			);
			const watched = await readWatch(watchFile);
			firstStarts.push(inWindow(nodes.first, watched));
			againStarts.push(inWindow(nodes.again, watched));
			log(
				`run ${i + 1}: node start → first request ${fmt(firstStarts[i].lagMs)} ms ` +
					`(garbage collection ${fmt(firstStarts[i].gcMs)} ms of it); ` +
					`the second node ${fmt(againStarts[i].lagMs)} ms (garbage collection ${fmt(againStarts[i].gcMs)} ms, ` +
					`the request created at ${fmt(againStarts[i].createdMs)} ms)${ok ? '' : ' (RED)'}`,
			);
		}
		const profileDir = flags['profile-dir'] ?? join(work, 'profiles');
		const profiled = await run(workflow.id, [
			'--cpu-prof',
			`--cpu-prof-dir=${profileDir}`,
			'--cpu-prof-interval=200',
		]);
		log(`profiled run: node start → first request ${fmt(profiled.first.lagMs)} ms`);

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
			`Node start → first request at the fake (${RUNS} plain runs): median ${fmt(median(lagsOf(firstStarts)))} ms ` +
				`(runs: ${runsOf(lagsOf(firstStarts))}); under the profiler ${fmt(profiled.first.lagMs)} ms. ` +
				`Of that time, n8n's process was paused for garbage collection: median ` +
				`${fmt(median(gcOf(firstStarts)))} ms (runs: ${runsOf(gcOf(firstStarts))}); ` +
				`the first request left it at median ${fmt(median(createdOf(firstStarts)))} ms. ` +
				`A second, identical node in the same process (after it and a ${WAIT_SECONDS} s pause): median ` +
				`${fmt(median(lagsOf(againStarts)))} ms (runs: ${runsOf(lagsOf(againStarts))}), garbage collection ` +
				`${fmt(median(gcOf(againStarts)))} ms. ${loadNote(loadAtStart)}.`,
			'',
		];
		const row = (label: string, starts: Start[]) => [
			label,
			`${fmt(median(lagsOf(starts)))} ms`,
			runsOf(lagsOf(starts)),
			`${fmt(median(gcOf(starts)))} ms`,
			runsOf(gcOf(starts)),
		];
		const result: BenchResult = {
			id: `start-${VERSION}`,
			benchmark: 'start',
			title: `Start of the node in n8n ${VERSION}: ${ITEMS} items, node start → first request at the fake`,
			command: `npm run bench:profile${VERSION === '2.41.1' ? '' : ` -- --n8n ${VERSION}`}`,
			n8n: VERSION,
			runs: RUNS,
			...runFacts(started, loadAtStart),
			table: [
				['Node', 'First request', 'Runs', 'Garbage collection in it', 'Runs (GC)'],
				row('The first node, in a new `n8n execute` process', firstStarts),
				row(
					`A second, identical node in the same process, after a ${WAIT_SECONDS} s pause`,
					againStarts,
				),
			],
			notes: [
				'First request: node start (run data) → the first PATCH at the fake. Garbage collection: pauses of the n8n process within that time (a preloaded watch, `bench/lib/start-watch.cjs`).',
				found
					? `Read-and-check pass under \`node --cpu-prof\` (one more run, ${fmt(profiled.first.lagMs)} ms to the first request): ${fmt(found.rootMs)} ms for ${ITEMS} items, of which ${fmt(found.ownMs)} ms in the node's own code and the rest in n8n's and Node's (evaluating and reading parameters).`
					: 'The profiled run holds no item check.',
			],
		};
		if (flags.save) log(`saved ${await saveResult(result)}`);
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

/**
 * Runs the throughput cases in real n8n against the fake Appcues API and measures each run:
 * what the fake recorded (PATCHes, 429s, users written never or twice, the busiest second) and
 * what n8n recorded (the node's start and execution time, the executions of the server cases).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';

import { WEBHOOK_SECRET } from '../../test/e2e/lib/appcues';
import {
	createN8nSandbox,
	disposeAll,
	type N8nSandbox,
	type N8nVersion,
	packPackage,
	repoRoot,
	type RunJson,
} from '../../test/e2e/lib/n8n';
import { DEFAULT_ACCOUNT } from '../../test/fake-appcues/server';
import { type FakeProcess, type RecordedRequestLite, startFakeProcess } from '../lib/fake-process';
import {
	dbTime,
	deliver,
	event,
	lastExecutionId,
	startForeignClient,
	waitForNewExecutions,
} from '../lib/shared-account';
import {
	analyseProfilePatches,
	benchUserIds,
	type PatchAnalysis,
	TARGET_NODE,
} from '../lib/update-profile';
import {
	ACCOUNT_ID,
	type BenchCase,
	CRED_APPCUES,
	CRED_BASIC,
	executeWorkflow,
	HOOKS,
	hookOf,
	serverWorkflows,
	type ThroughputSettings,
} from './cases';

/** One `n8n execute` is killed after this. */
const EXECUTE_TIMEOUT_MS = 240_000;

export interface RunMetrics extends Omit<PatchAnalysis, 'written' | 'firstAt' | 'lastAt'> {
	/** The node's execution time (server cases: first delivery → last execution stopped), ms. */
	nodeMs: number;
	/** Wall time of `n8n execute` (server cases: of the deliveries), ms. */
	wallMs: number;
	updatesPerSecond: number;
	green: boolean;
	/** Node start (server cases: first delivery) → first PATCH at the fake. */
	startLagMs: number;
	/** Last PATCH at the fake → node end. */
	tailLagMs: number;
	error?: string;
	/** The foreign client's answers. */
	foreign?: { ok: number; throttled: number; other: number; sent: number };
	/** Server cases: executions finished / expected, and deliveries answered 200. */
	executions?: {
		finished: number;
		succeeded: number;
		expected: number;
		accepted: number;
		deliveries: number;
	};
}

export interface CaseResult {
	benchCase: BenchCase;
	runs: RunMetrics[];
}

export interface BenchmarkRun {
	results: CaseResult[];
	started: Date;
	elapsedMs: number;
	truncated: boolean;
	loadBefore: number;
	loadAfter: number;
}

function nodeTask(run: RunJson | undefined) {
	return run?.data.resultData.runData[TARGET_NODE]?.at(-1);
}

function errorSummary(run: RunJson | undefined, output: string): string | undefined {
	const error = (nodeTask(run)?.error ?? run?.data.resultData.error) as
		{ message?: string; httpCode?: string } | undefined;
	if (error) return [error.httpCode, error.message].filter(Boolean).join(' ').slice(0, 160);
	if (!run)
		return `no run JSON in the output: ${output.trim().split('\n').slice(-3).join(' | ').slice(0, 200)}`;
	return undefined;
}

/** "200: 290, 0 (no answer): 10". */
function describeStatuses(statuses: number[]): string {
	const counts = new Map<number, number>();
	for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
	return [...counts]
		.map(([status, count]) => `${status === 0 ? '0 (no answer)' : status}: ${count}`)
		.join(', ');
}

class ThroughputRunner {
	constructor(
		private readonly settings: ThroughputSettings,
		private readonly n8n: N8nSandbox,
		private readonly fake: FakeProcess,
	) {}

	private get fakeShape() {
		return { accountId: ACCOUNT_ID, rate: this.settings.rate, latencyMs: this.settings.latencyMs };
	}

	private async resetFake(benchCase: BenchCase) {
		await this.fake.control('reset', {});
		if (!benchCase.faults) return;
		await this.fake.control('faults', {
			kind: 'status',
			status: 429,
			probability: this.settings.faultProbability,
			times: 'Infinity',
			method: 'PATCH',
			pathIncludes: '/profile',
		});
	}

	/** One `n8n execute` of the case's workflow. */
	async execute(benchCase: BenchCase, workflowId: string): Promise<RunMetrics> {
		await this.resetFake(benchCase);
		const foreign = benchCase.foreignRate
			? await startForeignClient({
					url: this.fake.url,
					accountId: ACCOUNT_ID,
					apiKey: DEFAULT_ACCOUNT.apiKey,
					apiSecret: DEFAULT_ACCOUNT.apiSecret,
					rate: benchCase.foreignRate,
				})
			: undefined;
		const t0 = Date.now();
		let res: Awaited<ReturnType<N8nSandbox['executeWorkflow']>>;
		let foreignCounts: RunMetrics['foreign'];
		try {
			res = await this.n8n.executeWorkflow(workflowId, { timeoutMs: EXECUTE_TIMEOUT_MS });
		} finally {
			foreignCounts = await foreign?.stop();
		}
		const wallMs = Date.now() - t0;
		const recorded = (await this.fake.control('requests')) as RecordedRequestLite[];
		const patches = analyseProfilePatches(
			recorded,
			benchUserIds('bench', this.settings.items),
			this.fakeShape,
		);
		const task = nodeTask(res.run);
		const nodeMs = Number(task?.executionTime ?? NaN);
		const startTime = Number(task?.startTime ?? NaN);
		return {
			...patches,
			nodeMs,
			wallMs,
			updatesPerSecond: nodeMs > 0 ? patches.written / (nodeMs / 1000) : NaN,
			green: res.ok,
			startLagMs: patches.firstAt - startTime,
			tailLagMs: startTime + nodeMs - patches.lastAt,
			error: res.ok
				? undefined
				: (errorSummary(res.run, res.output) ?? `exit ${res.code ?? res.signal}`),
			foreign: foreignCounts,
		};
	}

	/**
	 * Deliveries to the published trigger workflow, then the executions they started (n8n's
	 * database) and what the fake recorded. Time = first delivery sent → last execution stopped;
	 * updates/s = users written / that time (No Operation: executions / that time).
	 */
	async serve(benchCase: BenchCase, url: string, round: number): Promise<RunMetrics> {
		await this.resetFake(benchCase);
		const { items, deliveries, deliveriesInFlight } = this.settings;
		const tag = `r${round}-${Date.now()}`;
		let bodies: string[];
		let userIds: string[];
		let inFlight: number;
		if (benchCase.id === 'two-executions') {
			const ids = ['a', 'b'].map((run) =>
				Array.from({ length: items }, (_, i) => `bench-${run}-${String(i).padStart(4, '0')}`),
			);
			userIds = ids.flat();
			bodies = ids.map((list, run) =>
				JSON.stringify(list.map((userId, i) => event(`evt-${tag}-${run}-${i}`, userId))),
			);
			inFlight = 2;
		} else {
			userIds = benchUserIds('bench', deliveries);
			bodies = userIds.map((userId, i) => JSON.stringify(event(`evt-${tag}-${i}`, userId)));
			inFlight = deliveriesInFlight;
		}
		const workflowId = HOOKS[hookOf(benchCase)].id;
		const afterId = await lastExecutionId(this.n8n);
		const t0 = Date.now();
		const delivered = await deliver(url, WEBHOOK_SECRET, bodies, inFlight);
		const accepted = delivered.statuses.filter((status) => status === 200).length;
		const { rows, complete } = await waitForNewExecutions(
			this.n8n,
			workflowId,
			afterId,
			accepted,
			EXECUTE_TIMEOUT_MS,
		);
		const stoppedAt = Math.max(...rows.map((row) => dbTime(row.stoppedAt)));
		const doneMs = stoppedAt - t0;
		const succeeded = rows.filter((row) => row.status === 'success').length;
		const recorded = (await this.fake.control('requests')) as RecordedRequestLite[];
		const noop = benchCase.node === 'noop';
		const patches = analyseProfilePatches(recorded, noop ? [] : userIds, this.fakeShape);
		const green = complete && accepted === bodies.length && succeeded === bodies.length;
		return {
			...patches,
			nodeMs: doneMs,
			wallMs: delivered.acceptedMs,
			updatesPerSecond: doneMs > 0 ? (noop ? succeeded : patches.written) / (doneMs / 1000) : NaN,
			green,
			startLagMs: patches.firstAt - t0,
			tailLagMs: stoppedAt - patches.lastAt,
			executions: {
				finished: rows.length,
				succeeded,
				expected: bodies.length,
				accepted,
				deliveries: bodies.length,
			},
			error: green
				? undefined
				: `${accepted}/${bodies.length} deliveries accepted (${describeStatuses(delivered.statuses)}), ` +
					`${succeeded}/${rows.length} executions succeeded${complete ? '' : ' (timed out waiting)'}`,
		};
	}
}

/**
 * Sets up n8n (the package, credentials, workflows) and the fake, then runs every case RUNS
 * times in rounds (round 1: every case once, then round 2 …), so drift of the machine hits all
 * cases alike: first the execute cases, then the server cases against one `n8n start`.
 */
export async function runThroughput(
	settings: ThroughputSettings,
	cases: BenchCase[],
	log: (message: string) => void,
	onRun: (benchCase: BenchCase, run: RunMetrics) => void = () => undefined,
): Promise<BenchmarkRun> {
	const started = new Date();
	log(`preparing the n8n ${settings.version} runtime (installs on first use, about 5 minutes)…`);
	const n8n = await createN8nSandbox(settings.version as N8nVersion);
	log(`runtime ready (${Math.round(n8n.runtime.ensureMs / 1000)} s); sandbox ${n8n.root}`);
	const benchStart = Date.now();
	const loadBefore = loadavg()[0];
	const fake = await startFakeProcess({ rateLimit: settings.rate, latencyMs: settings.latencyMs });
	log(`fake Appcues at ${fake.url}`);
	try {
		const tgz = settings.packageTgz ? resolve(settings.packageTgz) : await packPackage(repoRoot());
		await n8n.installPackageTarball(tgz);
		log(`installed ${tgz.split('/').at(-1)}`);
		await n8n.importCredentials([
			{
				...CRED_APPCUES,
				type: 'appcuesApi',
				data: {
					apiKey: DEFAULT_ACCOUNT.apiKey,
					apiSecret: DEFAULT_ACCOUNT.apiSecret,
					accountId: ACCOUNT_ID,
					region: 'custom',
					baseUrl: fake.url,
					webhookSecret: WEBHOOK_SECRET,
				},
			},
			{
				...CRED_BASIC,
				type: 'httpBasicAuth',
				data: { user: DEFAULT_ACCOUNT.apiKey, password: DEFAULT_ACCOUNT.apiSecret },
			},
		]);
		const executeCases = cases.filter((c) => c.kind === 'execute');
		const serverCases = cases.filter((c) => c.kind === 'server');
		const workflowIds = new Map<BenchCase, string>();
		const workflows = executeCases.map((benchCase, i) => {
			const workflow = executeWorkflow(benchCase, i, fake.url, settings.items);
			workflowIds.set(benchCase, workflow.id);
			return workflow;
		});
		const triggers = serverWorkflows(serverCases);
		await n8n.importWorkflows([...workflows, ...triggers]);
		for (const workflow of triggers) await n8n.publishWorkflow(workflow.id!);
		log(`imported credentials and ${workflows.length + triggers.length} workflows`);

		const runner = new ThroughputRunner(settings, n8n, fake);
		const results: CaseResult[] = cases.map((benchCase) => ({ benchCase, runs: [] }));
		let truncated = false;
		const phase = async (
			phaseCases: BenchCase[],
			run: (benchCase: BenchCase, round: number) => Promise<RunMetrics>,
		) => {
			for (let round = 1; round <= settings.runs; round++) {
				for (const benchCase of phaseCases) {
					if (Date.now() - benchStart > settings.budgetMs) {
						truncated = true;
						log('time budget spent: no more runs');
						return;
					}
					log(`round ${round}/${settings.runs}: ${benchCase.label} …`);
					const metrics = await run(benchCase, round);
					results.find((r) => r.benchCase === benchCase)!.runs.push(metrics);
					onRun(benchCase, metrics);
				}
			}
		};
		await phase(executeCases, (benchCase) =>
			runner.execute(benchCase, workflowIds.get(benchCase)!),
		);
		if (serverCases.length && !truncated) {
			log('starting n8n (regular mode) for the webhook cases …');
			const server = await n8n.start({ timeoutMs: 240_000 });
			for (const workflow of triggers) {
				await server.waitForWebhook(`${workflow.nodes[0].webhookId}/webhook`, {
					timeoutMs: 120_000,
				});
			}
			log(`n8n ready in ${Math.round(server.startupMs / 1000)} s`);
			try {
				await phase(serverCases, (benchCase, round) => {
					const url = `${server.baseUrl}/webhook/${HOOKS[hookOf(benchCase)].webhookId}/webhook`;
					return runner.serve(benchCase, url, round);
				});
			} finally {
				await server.stop();
			}
		}
		return {
			results,
			started,
			elapsedMs: Date.now() - benchStart,
			truncated,
			loadBefore,
			loadAfter: loadavg()[0],
		};
	} finally {
		fake.child.kill('SIGTERM');
		await disposeAll();
	}
}

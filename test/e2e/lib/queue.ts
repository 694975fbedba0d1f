/**
 * n8n in queue mode for the e2e tests, `npm run dev -- --queue` and bench/queue-throughput.ts:
 * Redis and PostgreSQL (./services.ts), one main (`n8n start`), workers (`n8n worker
 * --concurrency=10`, two by default) and one webhook processor (`n8n webhook`), all sharing one
 * N8N_ENCRYPTION_KEY, each with its own user folder holding the packed package in .n8n/nodes, as
 * users install it. Each n8n process is an N8nSandbox of ./n8n.ts (own folder, port, logs).
 *
 *   const queue = await createQueueTopology({ tarball });          // services + user folders
 *   await queue.main.importCredentials(...); await queue.main.importWorkflows(...);
 *   await queue.main.publishWorkflow(id);                         // before start()
 *   await queue.start();                                          // all four, until ready
 *   const id = await queue.runManual(workflowId);                 // POST /rest/workflows/<id>/run
 *   const execution = await queue.waitForExecution(id);           // from Postgres, with run data
 *   queue.workerOf(id);                                           // which worker ran it (its log)
 *   await queue.stop();                                           // n8n, then Postgres and Redis
 *
 * Environment and pitfalls: README, "Queue mode".
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import {
	createN8nSandbox,
	stripAnsi,
	type N8nSandbox,
	type N8nVersion,
	type RunJson,
	type RunningN8n,
	type StartOptions,
	type WorkflowJson,
} from './n8n';
import { groupRssMb, startServices, type QueueServices } from './services';

export interface QueueTopologyOptions {
	/** n8n version (default 2.41.1). */
	version?: N8nVersion;
	/** The `npm pack` tarball installed into every instance's .n8n/nodes (none: install it yourself). */
	tarball?: string;
	workers?: number;
	/** `n8n worker --concurrency` (default 10). */
	concurrency?: number;
	/** Extra environment for every n8n process (e.g. N8N_DEFAULT_BINARY_DATA_MODE). */
	env?: Record<string, string>;
	/** Parent folder of every folder made here (default: the OS temp folder). */
	baseDir?: string;
	keep?: boolean;
	echo?: boolean;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export interface QueueExecution {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	/** The stored run data (IRun['data']), flatted-decoded. */
	data?: RunJson['data'];
}

const OWNER = {
	email: 'owner@example.com',
	firstName: 'Queue',
	lastName: 'Owner',
	password: 'Queue-Password-123',
};
const FINISHED = (status: string) => !['new', 'running', 'waiting'].includes(status);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class QueueTopology {
	/** ms per step (services, package, start ...), filled as they happen. */
	readonly timings: Record<string, number> = {};
	private cookie?: Promise<string>;
	private running = new Map<N8nSandbox, RunningN8n>();
	private stopped = false;

	constructor(
		readonly services: QueueServices,
		/** `n8n start`: editor, REST API, production webhooks; enqueues every execution. */
		readonly main: N8nSandbox,
		/** `n8n worker`: run the executions. */
		readonly workers: N8nSandbox[],
		/** `n8n webhook`: production webhooks only; enqueues. */
		readonly webhook: N8nSandbox,
		readonly encryptionKey: string,
		private readonly opts: QueueTopologyOptions,
	) {}

	get sandboxes(): N8nSandbox[] {
		return [this.main, ...this.workers, this.webhook];
	}

	/** Start main, the workers and the webhook processor together; resolves when all are ready. */
	async start(timeoutMs = 240_000): Promise<void> {
		const t0 = Date.now();
		try {
			await Promise.all(this.sandboxes.map((sandbox) => this.launch(sandbox, timeoutMs)));
		} catch (error) {
			await this.stopN8n();
			throw error;
		}
		this.timings.start = Date.now() - t0;
	}

	/** Stop one process and start it again (e.g. a worker after its package changed), with `env` added. */
	async restart(sandbox: N8nSandbox, env: Record<string, string> = {}, timeoutMs = 240_000) {
		await sandbox.stop();
		this.running.delete(sandbox);
		await this.launch(sandbox, timeoutMs, env);
	}

	private async launch(sandbox: N8nSandbox, timeoutMs: number, env: Record<string, string> = {}) {
		const concurrency = String(this.opts.concurrency ?? 10);
		const options: StartOptions =
			sandbox === this.main
				? {}
				: sandbox === this.webhook
					? { command: ['webhook'], readyPattern: /Webhook listener waiting for requests/ }
					: {
							command: ['worker', `--concurrency=${concurrency}`],
							readyPattern: /n8n worker is now ready/,
							// The worker's health server answers /healthz/readiness on the sandbox's port;
							// its default (5678) is main's default port, and `::` would listen on every interface.
							env: {
								QUEUE_HEALTH_CHECK_ACTIVE: 'true',
								QUEUE_HEALTH_CHECK_PORT: String(sandbox.port),
								N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
							},
						};
		this.running.set(
			sandbox,
			await sandbox.start({ timeoutMs, ...options, env: { ...options.env, ...env } }),
		);
	}

	/** The running process of a sandbox (after start()). */
	process(sandbox: N8nSandbox): RunningN8n {
		const proc = this.running.get(sandbox);
		if (!proc) throw new Error(`${sandbox.root}: not running`);
		return proc;
	}

	/** Output of every n8n process so far, labelled (for secret checks and failure messages). */
	allOutput(): string {
		return this.sandboxes
			.map(
				(s, i) => `--- ${this.roleOf(s, i)} ---\n${stripAnsi(this.running.get(s)?.output() ?? '')}`,
			)
			.join('\n');
	}

	private roleOf(sandbox: N8nSandbox, index: number): string {
		if (sandbox === this.main) return 'main';
		if (sandbox === this.webhook) return 'webhook';
		return `worker ${index}`;
	}

	/**
	 * Which worker (index into `workers`) ran execution `id`, from the workers' logs (info level):
	 * `Worker started execution <id> (job <n>)`. Undefined when none logged it. Throws when more
	 * than one did, or when main or the webhook processor ran it themselves.
	 */
	workerOf(id: string): number | undefined {
		const started = new RegExp(`Worker started execution ${id} \\(job`);
		const ran = this.workers
			.map((w, i) => (started.test(this.process(w).output()) ? i : -1))
			.filter((i) => i >= 0);
		if (ran.length > 1)
			throw new Error(`execution ${id} was started by workers ${ran.join(' and ')}`);
		return ran[0];
	}

	/** Wait until a worker has logged that it finished execution `id`; returns that worker's index. */
	async waitForWorkerFinish(id: string, timeoutMs = 60_000): Promise<number> {
		const finished = new RegExp(`Worker finished execution ${id}\\b`);
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const index = this.workers.findIndex((w) => finished.test(this.process(w).output()));
			if (index >= 0) return index;
			await sleep(200);
		}
		throw new Error(`no worker logged "Worker finished execution ${id}" within ${timeoutMs} ms`);
	}

	/** The editor's REST API on main, as the owner (set up on first use). */
	async rest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
		const base = this.process(this.main).baseUrl;
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'browser-id': 'appcues-queue-e2e',
		};
		// Once, also when several calls start together (a second owner setup would fail).
		this.cookie ??= (async () => {
			const setup = await fetch(`${base}/rest/owner/setup`, {
				method: 'POST',
				headers,
				body: JSON.stringify(OWNER),
			});
			if (setup.status !== 200)
				throw new Error(`owner setup: ${setup.status} ${await setup.text()}`);
			return setup.headers
				.getSetCookie()
				.map((c) => c.split(';')[0])
				.join('; ');
		})();
		const res = await fetch(`${base}/rest/${path}`, {
			method,
			headers: { ...headers, cookie: await this.cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (res.status !== 200)
			throw new Error(`${method} /rest/${path}: ${res.status} ${text.slice(0, 500)}`);
		const type = res.headers.get('content-type') ?? '';
		return (type.includes('json') ? (JSON.parse(text) as { data: T }).data : text) as T;
	}

	/**
	 * Start a manual run of a saved workflow from its trigger node `trigger`, as the editor's
	 * "Execute workflow" does. Main has OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true, so it enqueues
	 * the run for a worker (without it main would run it itself). Returns the execution id.
	 */
	async runManual(workflowId: string, trigger = 'Start'): Promise<string> {
		const data = await this.rest<{ executionId?: string }>('POST', `workflows/${workflowId}/run`, {
			triggerToStartFrom: { name: trigger },
		});
		if (!data?.executionId)
			throw new Error(`workflow ${workflowId} did not start: ${JSON.stringify(data)}`);
		return String(data.executionId);
	}

	/** Executions of a workflow (newest first), from Postgres. */
	async listExecutions(workflowId: string): Promise<QueueExecution[]> {
		return this.services.query<QueueExecution>(
			`SELECT id::text AS id, "workflowId" AS "workflowId", mode, status FROM execution_entity WHERE "workflowId" = '${sqlText(workflowId)}' ORDER BY id DESC`,
		);
	}

	/** One execution with its run data. */
	async getExecution(id: string): Promise<QueueExecution | undefined> {
		const [row] = await this.services.query<QueueExecution & { raw: string | null }>(
			`SELECT e.id::text AS id, e."workflowId" AS "workflowId", e.mode, e.status, d.data AS raw
			   FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e.id = ${Number(id)}`,
		);
		if (!row) return undefined;
		const { raw, ...rest } = row;
		return { ...rest, data: raw ? (this.flatted().parse(raw) as RunJson['data']) : undefined };
	}

	/** Poll Postgres until execution `id` has finished; returns it with its run data. */
	async waitForExecution(id: string, timeoutMs = 120_000): Promise<QueueExecution> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const [row] = await this.services.query<{ status: string }>(
				`SELECT status FROM execution_entity WHERE id = ${Number(id)}`,
			);
			if (row && FINISHED(row.status)) return (await this.getExecution(id))!;
			if (Date.now() > deadline)
				throw new Error(
					`execution ${id} not finished after ${timeoutMs} ms (status ${row?.status})`,
				);
			await sleep(250);
		}
	}

	/** Poll until `count` executions of `workflowId` have finished (newest first). */
	async waitForExecutions(
		workflowId: string,
		count: number,
		timeoutMs = 60_000,
	): Promise<QueueExecution[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const rows = (await this.listExecutions(workflowId)).filter((r) => FINISHED(r.status));
			if (rows.length >= count) return rows;
			if (Date.now() > deadline)
				throw new Error(
					`waited for ${count} finished execution(s) of ${workflowId}, have ${rows.length}`,
				);
			await sleep(250);
		}
	}

	/** n8n stores run data with `flatted`; use the runtime's copy (pure JS). */
	private flatted(): { parse(text: string): unknown } {
		return createRequire(join(this.main.runtime.runtimeDir, 'package.json'))('flatted') as {
			parse(text: string): unknown;
		};
	}

	/** Resident memory (MB) of every process: n8n (with task runners), Postgres, Redis. */
	async memoryMb(): Promise<Record<string, number>> {
		const out: Record<string, number> = {};
		for (const [i, sandbox] of this.sandboxes.entries()) {
			const proc = this.running.get(sandbox);
			if (proc) out[this.roleOf(sandbox, i)] = await groupRssMb([proc.pid]);
		}
		out['postgres+redis'] = await groupRssMb(this.services.pids());
		out.total = Object.values(out).reduce((a, b) => a + b, 0);
		return out;
	}

	private async stopN8n(): Promise<void> {
		// Main and the webhook processor first (nothing new is enqueued), then the workers.
		await Promise.all([this.main, this.webhook].map((s) => s.stop()));
		await Promise.all(this.workers.map((s) => s.stop()));
		this.running.clear();
	}

	/** Stop every process (n8n, then Postgres and Redis) and remove the folders unless `keep`. */
	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		try {
			await this.stopN8n();
		} finally {
			await Promise.all(this.sandboxes.map((s) => s.dispose()));
			await this.services.stop();
		}
	}

	set keep(value: boolean) {
		this.services.keep = value;
		for (const s of this.sandboxes) s.keep = value;
	}
}

function sqlText(value: string): string {
	return value.replace(/'/g, "''");
}

/** Services and user folders, the package installed in each; nothing of n8n runs yet. */
export async function createQueueTopology(opts: QueueTopologyOptions): Promise<QueueTopology> {
	const t0 = Date.now();
	const services = await startServices({ baseDir: opts.baseDir, keep: opts.keep });
	const sandboxes: N8nSandbox[] = [];
	try {
		const servicesMs = Date.now() - t0;
		const encryptionKey = randomBytes(24).toString('base64url');
		const env = {
			...services.n8nEnv(),
			EXECUTIONS_MODE: 'queue',
			N8N_ENCRYPTION_KEY: encryptionKey,
			// Manual runs (editor, REST) go to the workers too.
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			...opts.env,
		};
		const make = async () => {
			const sandbox = await createN8nSandbox(opts.version ?? '2.41.1', {
				env,
				baseDir: opts.baseDir,
				keep: opts.keep,
				echo: opts.echo,
				logLevel: opts.logLevel,
			});
			sandboxes.push(sandbox);
			return sandbox;
		};
		const main = await make();
		const workers: N8nSandbox[] = [];
		for (let i = 0; i < (opts.workers ?? 2); i++) workers.push(await make());
		const webhook = await make();
		const t1 = Date.now();
		const tarball = opts.tarball;
		if (tarball) await Promise.all(sandboxes.map((s) => s.installPackageTarball(tarball)));
		const topology = new QueueTopology(services, main, workers, webhook, encryptionKey, opts);
		topology.timings.services = servicesMs;
		topology.timings.package = Date.now() - t1;
		return topology;
	} catch (error) {
		await Promise.all(sandboxes.map((s) => s.dispose()));
		await services.stop();
		throw error;
	}
}

/** Import credentials and workflows through main's CLI and publish the given ones (before start). */
export async function importIntoQueue(
	topology: QueueTopology,
	input: {
		credentials: Parameters<N8nSandbox['importCredentials']>[0];
		workflows: WorkflowJson[];
		publish?: string[];
	},
): Promise<void> {
	const t0 = Date.now();
	await topology.main.importCredentials(input.credentials);
	await topology.main.importWorkflows(input.workflows);
	for (const id of input.publish ?? []) await topology.main.publishWorkflow(id);
	topology.timings.import = Date.now() - t0;
}

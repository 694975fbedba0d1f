/**
 * Redis and PostgreSQL for n8n queue mode (test/e2e/queue.e2e.ts, `npm run dev -- --queue`,
 * bench/queue-throughput.ts), started on free ports in a folder the caller owns:
 *
 *   const services = await startServices();        // installs them first if missing (root, apt-get)
 *   services.n8nEnv();                             // DB_* and QUEUE_BULL_REDIS_* for every n8n process
 *   await services.query('SELECT id FROM execution_entity');
 *   await services.stop();                         // Postgres (fast shutdown), then Redis; removes the folder
 *
 * Both run as tracked processes (./processes.ts), so they are also killed when the test process
 * exits. Postgres refuses to run as root: initdb and postgres run as the `postgres` user of the
 * Debian package through `setpriv` (it execs, so the tracked pid is the postmaster itself).
 * Recipe and pitfalls: README, "Queue mode".
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { getFreePort, repoRoot } from './n8n';
import { runTracked, spawnTracked, type TrackedProcess } from './processes';

export interface ServicesOptions {
	/** Parent of the services folder (default: the OS temp folder). */
	baseDir?: string;
	/** Keep the folder (logs, data) on stop(). */
	keep?: boolean;
}

export interface QueueServices {
	/** The folder that holds redis/ and pg/ (data and logs). */
	readonly root: string;
	readonly redisPort: number;
	readonly postgresPort: number;
	/** ms per step: install (check), redis, initdb, postgres, database. */
	readonly timings: Record<string, number>;
	/** DB_* and QUEUE_BULL_REDIS_* for every n8n process of the topology (CLI commands included). */
	n8nEnv(): Record<string, string>;
	/** Rows of a query (or of an UPDATE ... RETURNING) on n8n's database, as JSON (psql, `json_agg`). */
	query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
	/** Process ids (process group leaders) of redis-server and the postmaster. */
	pids(): number[];
	keep: boolean;
	/** Stop Postgres and Redis and remove the folder (unless keep). Safe to call twice. */
	stop(): Promise<void>;
}

export const N8N_DB = { database: 'n8n', user: 'n8n', password: 'n8n' } as const;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function execText(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
	return new Promise((resolve, reject) =>
		execFile(
			cmd,
			args,
			{ env: env ?? process.env, maxBuffer: 256 * 1024 * 1024 },
			(err, stdout, stderr) =>
				err
					? reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
					: resolve(stdout),
		),
	);
}

/** The newest PostgreSQL server of the Debian packages (/usr/lib/postgresql/<major>/bin). */
function postgresBinDir(): string {
	const base = '/usr/lib/postgresql';
	const majors = existsSync(base)
		? readdirSync(base).filter((d) => existsSync(join(base, d, 'bin', 'postgres')))
		: [];
	if (majors.length === 0)
		throw new Error('PostgreSQL is not installed (e2e/install-services.sh installs it)');
	return join(base, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Run e2e/install-services.sh (apt-get install of redis-server and postgresql; a no-op when present). */
export async function ensureServicesInstalled(): Promise<number> {
	const t0 = Date.now();
	const res = await runTracked('bash', [join(repoRoot(), 'e2e', 'install-services.sh')], {
		label: 'install-services.sh',
		timeoutMs: 20 * 60_000,
		echo: process.env.N8N_E2E_QUIET !== '1',
	});
	if (res.code !== 0)
		throw new Error(
			`e2e/install-services.sh failed (exit ${res.code}):\n${res.output.slice(-4000)}`,
		);
	return Date.now() - t0;
}

async function waitUntil(
	what: string,
	proc: TrackedProcess,
	check: () => Promise<boolean>,
	timeoutMs = 30_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (!proc.isRunning())
			throw new Error(`${what} exited before it was ready:\n${proc.output().slice(-3000)}`);
		if (await check().catch(() => false)) return;
		await sleep(50);
	}
	throw new Error(`${what} not ready after ${timeoutMs} ms:\n${proc.output().slice(-3000)}`);
}

/** Stop a tracked server with `signal` (Postgres: SIGINT = fast shutdown), SIGKILL after graceMs. */
async function stopWith(
	proc: TrackedProcess | undefined,
	signal: NodeJS.Signals,
	graceMs = 15_000,
): Promise<void> {
	if (!proc?.isRunning()) return;
	try {
		process.kill(proc.pid, signal);
	} catch {
		// gone already
	}
	const done = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
	if (!done) await proc.kill(1000);
}

const openFolders = new Set<string>();
let exitHook = false;

/** Start Redis and PostgreSQL (installing them first when missing); see the file comment. */
export async function startServices(opts: ServicesOptions = {}): Promise<QueueServices> {
	const timings: Record<string, number> = {};
	timings.install = await ensureServicesInstalled();
	const root = await mkdtemp(join(opts.baseDir ?? tmpdir(), 'n8n-queue-services-'));
	openFolders.add(root);
	if (!exitHook) {
		exitHook = true;
		process.on('exit', () => {
			for (const dir of openFolders) rmSync(dir, { recursive: true, force: true });
		});
	}
	// The postgres user must reach its data folder inside this one.
	await chmod(root, 0o755);
	let redis: TrackedProcess | undefined;
	let postgres: TrackedProcess | undefined;
	let stopped = false;
	const services: QueueServices = {
		root,
		redisPort: 0,
		postgresPort: 0,
		timings,
		keep: opts.keep ?? process.env.N8N_E2E_KEEP === '1',
		n8nEnv: () => ({
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(services.redisPort),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(services.postgresPort),
			DB_POSTGRESDB_DATABASE: N8N_DB.database,
			DB_POSTGRESDB_USER: N8N_DB.user,
			DB_POSTGRESDB_PASSWORD: N8N_DB.password,
		}),
		query: async <T>(sql: string) => {
			// A CTE also takes UPDATE ... RETURNING.
			const wrapped = `WITH t AS (${sql}) SELECT coalesce(json_agg(t), '[]'::json) FROM t`;
			const out = await execText(
				'psql',
				[
					'-h',
					'127.0.0.1',
					'-p',
					String(services.postgresPort),
					'-U',
					N8N_DB.user,
					'-d',
					N8N_DB.database,
					'-At',
					'-v',
					'ON_ERROR_STOP=1',
					'-c',
					wrapped,
				],
				{ ...process.env, PGPASSWORD: N8N_DB.password },
			);
			return JSON.parse(out) as T[];
		},
		pids: () =>
			[redis, postgres].filter((p): p is TrackedProcess => !!p?.isRunning()).map((p) => p.pid),
		stop: async () => {
			if (stopped) return;
			stopped = true;
			await stopWith(postgres, 'SIGINT');
			await stopWith(redis, 'SIGTERM');
			if (!services.keep) await rm(root, { recursive: true, force: true });
			openFolders.delete(root);
		},
	};
	const mutable = services as { -readonly [K in keyof QueueServices]: QueueServices[K] };
	try {
		// Redis: foreground, loopback only, no persistence.
		let t0 = Date.now();
		const redisDir = join(root, 'redis');
		await mkdir(redisDir);
		mutable.redisPort = await getFreePort();
		redis = spawnTracked(
			'redis-server',
			[
				'--port',
				String(services.redisPort),
				'--bind',
				'127.0.0.1',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				redisDir,
			],
			{
				label: 'redis-server',
				logFile: join(redisDir, 'redis.log'),
			},
		);
		await waitUntil('redis-server', redis, async () =>
			(await execText('redis-cli', ['-p', String(services.redisPort), 'ping'])).includes('PONG'),
		);
		timings.redis = Date.now() - t0;

		// PostgreSQL as the postgres user, data and socket in <root>/pg.
		const bin = postgresBinDir();
		const pgDir = join(root, 'pg');
		await mkdir(pgDir);
		const { uid, gid } = await postgresIds();
		await chown(pgDir, uid, gid);
		const asPostgres = ['--reuid=postgres', '--regid=postgres', '--init-groups'];
		t0 = Date.now();
		const init = await runTracked(
			'setpriv',
			[
				...asPostgres,
				join(bin, 'initdb'),
				'-D',
				join(pgDir, 'data'),
				'-U',
				'postgres',
				'--auth=trust',
				'-E',
				'UTF8',
				'--locale=C.UTF-8',
				'--no-sync',
			],
			{
				label: 'initdb',
				timeoutMs: 120_000,
			},
		);
		if (init.code !== 0)
			throw new Error(`initdb failed (exit ${init.code}):\n${init.output.slice(-3000)}`);
		timings.initdb = Date.now() - t0;
		t0 = Date.now();
		mutable.postgresPort = await getFreePort();
		// A throwaway test cluster: durability off (fsync, synchronous commit, full-page writes).
		postgres = spawnTracked(
			'setpriv',
			[
				...asPostgres,
				join(bin, 'postgres'),
				'-D',
				join(pgDir, 'data'),
				'-k',
				pgDir,
				'-p',
				String(services.postgresPort),
				'-h',
				'127.0.0.1',
				'-c',
				'fsync=off',
				'-c',
				'synchronous_commit=off',
				'-c',
				'full_page_writes=off',
				'-c',
				'max_connections=200',
			],
			{
				label: 'postgres',
				logFile: join(pgDir, 'postgres.log'),
			},
		);
		const psqlAsAdmin = (sql: string) =>
			execText('psql', [
				'-h',
				'127.0.0.1',
				'-p',
				String(services.postgresPort),
				'-U',
				'postgres',
				'-d',
				'postgres',
				'-At',
				'-v',
				'ON_ERROR_STOP=1',
				'-c',
				sql,
			]);
		await waitUntil('postgres', postgres, async () => {
			await execText(join(bin, 'pg_isready'), [
				'-h',
				'127.0.0.1',
				'-p',
				String(services.postgresPort),
				'-U',
				'postgres',
				'-q',
			]);
			return true;
		});
		timings.postgres = Date.now() - t0;
		t0 = Date.now();
		await psqlAsAdmin(`CREATE USER ${N8N_DB.user} PASSWORD '${N8N_DB.password}'`);
		await psqlAsAdmin(`CREATE DATABASE ${N8N_DB.database} OWNER ${N8N_DB.user}`);
		timings.database = Date.now() - t0;
		return services;
	} catch (error) {
		await services.stop();
		throw error;
	}
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
	const [uid, gid] = await Promise.all([
		execText('id', ['-u', 'postgres']),
		execText('id', ['-g', 'postgres']),
	]);
	return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/**
 * Resident memory (MB) of the process groups led by `pids` (a tracked process leads its group,
 * so n8n's task runner and Postgres' backends are counted with their parent). Linux `ps`.
 */
export async function groupRssMb(pids: number[]): Promise<number> {
	const wanted = new Set(pids);
	const out = await execText('ps', ['-eo', 'pgid=,rss=']);
	let kb = 0;
	for (const line of out.split('\n')) {
		const [pgid, rss] = line.trim().split(/\s+/).map(Number);
		if (wanted.has(pgid)) kb += rss || 0;
	}
	return Math.round(kb / 1024);
}

/**
 * A real npm registry on 127.0.0.1 for the registry tests (test/registry): Verdaccio 6.8.0 (a
 * devDependency), its storage in a temporary folder, no uplink (it serves only what is published
 * to it), started and stopped like Redis and Postgres (./services.ts):
 *
 *   const registry = await startRegistry();
 *   await registry.publish(await packPackage());              // `npm publish ./<tgz>`, as a release does
 *   await registry.publish(await packVersion('0.1.1'));       // the next version, same content
 *   registry.n8nEnv();                                        // what n8n needs to install from it
 *   await registry.stop();
 *
 * The package is published exactly as a release would (`npm publish` of the packed tarball); npm
 * refuses to publish without a token for the registry (ENEEDAUTH) even though this Verdaccio lets
 * anyone publish, so a dummy token in a private npmrc stands in for a login.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

import { getFreePort, packPackage, repoRoot } from './n8n';
import { spawnTracked, type TrackedProcess } from './processes';

export interface NpmRegistry {
	/** http://127.0.0.1:<port> (no trailing slash: n8n compares the configured URL as a string). */
	readonly url: string;
	readonly root: string;
	/** A userconfig that points npm at this registry with a token it accepts. */
	readonly npmrc: string;
	/** How long Verdaccio took to answer its ping, ms. */
	readonly startupMs: number;
	/** `npm publish ./<tgz>` to this registry; returns npm's output. */
	publish(tarball: string): Promise<string>;
	/** The versions this registry holds of a package (its packument). */
	versions(name: string): Promise<string[]>;
	/** Environment for n8n: install from here (N8N_COMMUNITY_PACKAGES_REGISTRY) and check updates here (npm's own registry). */
	n8nEnv(): Record<string, string>;
	/** Environment for a plain `npm` command against this registry. */
	npmEnv(): NodeJS.ProcessEnv;
	/** Verdaccio's log so far (one line per request). */
	log(): string;
	keep: boolean;
	stop(): Promise<void>;
}

const requireHere = createRequire(import.meta.url);

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
	return new Promise<string>((resolveRun, reject) =>
		execFile(
			cmd,
			args,
			{ cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) =>
				error
					? reject(new Error(`${cmd} ${args.join(' ')} failed: ${error.message}\n${stderr}`))
					: resolveRun(`${stdout}${stderr}`),
		),
	);
}

/** An environment for npm without the npm_config_* that `npm run` passes down (ignore-scripts, ...). */
function cleanNpmEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env))
		if (!/^npm_/i.test(key) && value !== undefined) env[key] = value;
	return {
		...env,
		npm_config_update_notifier: 'false',
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		...extra,
	};
}

export async function startRegistry(
	opts: { baseDir?: string; keep?: boolean } = {},
): Promise<NpmRegistry> {
	const root = await mkdtemp(join(opts.baseDir ?? tmpdir(), 'npm-registry-'));
	const port = await getFreePort();
	const url = `http://127.0.0.1:${port}`;
	const config = join(root, 'config.yaml');
	await writeFile(
		config,
		[
			`storage: ${join(root, 'storage')}`,
			'auth:',
			'  htpasswd:',
			`    file: ${join(root, 'htpasswd')}`,
			'    max_users: -1',
			// No uplink: nothing is fetched from another registry; only what is published here exists.
			'uplinks: {}',
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $all',
			'    unpublish: $all',
			'server:',
			'  keepAliveTimeout: 60',
			`listen: 127.0.0.1:${port}`,
			'log: { type: stdout, format: pretty, level: http }',
			'',
		].join('\n'),
	);
	const npmrc = join(root, 'npmrc');
	await writeFile(npmrc, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=registry-tests\n`);

	const bin = join(dirname(requireHere.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
	const t0 = Date.now();
	const proc: TrackedProcess = spawnTracked(process.execPath, [bin, '--config', config], {
		cwd: root,
		env: cleanNpmEnv({}),
		label: 'verdaccio',
		logFile: join(root, 'verdaccio.log'),
		echo: process.env.N8N_E2E_VERBOSE === '1',
	});
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (!proc.isRunning())
			throw new Error(`Verdaccio exited before it was ready:\n${proc.output().slice(-3000)}`);
		const ok = await fetch(`${url}/-/ping`, { signal: AbortSignal.timeout(2000) })
			.then((res) => res.ok)
			.catch(() => false);
		if (ok) break;
		if (Date.now() > deadline) {
			await proc.kill(5000);
			throw new Error(`Verdaccio not ready after 60 s:\n${proc.output().slice(-3000)}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	const startupMs = Date.now() - t0;
	let stopped = false;

	const registry: NpmRegistry = {
		url,
		root,
		npmrc,
		startupMs,
		keep: opts.keep ?? process.env.N8N_E2E_KEEP === '1',
		async publish(tarball) {
			// `./name.tgz`: without the ./ npm reads `x.tgz` as a GitHub shorthand.
			return run(
				'npm',
				['publish', `./${basename(tarball)}`, `--registry=${url}/`, `--userconfig=${npmrc}`],
				{
					cwd: dirname(resolve(tarball)),
					env: cleanNpmEnv({}),
				},
			);
		},
		async versions(name) {
			const res = await fetch(`${url}/${name.replace('/', '%2f')}`);
			if (res.status === 404) return [];
			const body = (await res.json()) as { versions?: Record<string, unknown> };
			return Object.keys(body.versions ?? {});
		},
		n8nEnv() {
			return {
				N8N_COMMUNITY_PACKAGES_REGISTRY: url,
				// n8n's update check runs `npm outdated` without --registry, i.e. against npm's own
				// registry setting: point it here too (else it waits ~70 s for the unreachable default).
				npm_config_registry: `${url}/`,
				npm_config_update_notifier: 'false',
			};
		},
		npmEnv() {
			return cleanNpmEnv({ npm_config_registry: `${url}/` });
		},
		log: () => proc.output(),
		async stop() {
			if (stopped) return;
			stopped = true;
			await proc.kill(10_000);
			if (!registry.keep) await rm(root, { recursive: true, force: true });
		},
	};
	return registry;
}

/** The next patch version of `version` (0.1.0 -> 0.1.1). */
export function nextPatch(version: string): string {
	const [major, minor, patch] = version.split(/[.-]/).map(Number);
	return `${major}.${minor}.${patch + 1}`;
}

/**
 * The package packed as it is (dist/ must be built), but with `version`: a release of the same
 * content under another version, as `npm version` and `npm pack` would make it. Returns the tarball.
 */
export async function packVersion(version: string, repoDir = repoRoot()): Promise<string> {
	const work = await mkdtemp(join(tmpdir(), 'n8n-e2e-version-'));
	const tarball = await packPackage(repoDir, work);
	const copy = join(work, 'copy');
	await mkdir(copy);
	await run('tar', ['-xzf', tarball, '-C', copy, '--strip-components=1']);
	const manifest = join(copy, 'package.json');
	const pkg = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
	pkg.version = version;
	await writeFile(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
	const out = join(work, 'out');
	await mkdir(out);
	const json = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
		cwd: copy,
		env: cleanNpmEnv({}),
	});
	const [{ filename }] = JSON.parse(json.slice(json.indexOf('['))) as Array<{ filename: string }>;
	return join(out, filename);
}

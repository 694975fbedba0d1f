/**
 * What n8n needs, beyond its e2e environment (test/e2e/lib/n8n.ts), to install from the local
 * registry (test/e2e/lib/registry.ts), and the command-line install the README describes.
 */
import { execFile } from 'node:child_process';

/**
 * Switches on the licence feature n8n checks before it installs from any registry but the npm
 * registry (`feat:communityNodes:customRegistry`), through n8n's test mode (E2E_TESTS=true):
 * `PATCH /rest/e2e/feature`, which needs no login. A restart switches it off again.
 */
export async function enableCustomRegistry(baseUrl: string): Promise<void> {
	const res = await fetch(`${baseUrl}/rest/e2e/feature`, {
		method: 'PATCH',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ feature: 'feat:communityNodes:customRegistry', enabled: true }),
	});
	if (res.status !== 200)
		throw new Error(
			`PATCH /rest/e2e/feature: ${res.status} ${await res.text()} (is E2E_TESTS=true set?)`,
		);
}

/** `npm <args>` in `cwd` with `env`; resolves with npm's output, rejects with it on failure. */
export function runNpm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
	return new Promise((resolve, reject) =>
		execFile('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
			error
				? reject(
						new Error(
							`npm ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}${stderr}`,
						),
					)
				: resolve(`${stdout}${stderr}`),
		),
	);
}

/**
 * The README's command-line install (section Install), line for line: in n8n's `nodes` folder,
 * write the package.json that makes npm install there when it is missing, then
 * `npm install --legacy-peer-deps <spec>` (a package name or a tarball path).
 */
export function runReadmeInstall(nodesDir: string, spec: string, env: NodeJS.ProcessEnv) {
	const script = [
		'set -e',
		'mkdir -p "$1" && cd "$1"',
		`[ -f package.json ] || echo '{"name":"installed-nodes","private":true,"dependencies":{}}' > package.json`,
		'npm install --legacy-peer-deps "$2"',
	].join('\n');
	return new Promise<string>((resolve, reject) =>
		execFile('bash', ['-c', script, 'install', nodesDir, spec], { env }, (error, stdout, stderr) =>
			error
				? reject(
						new Error(`README install of ${spec} failed: ${error.message}\n${stdout}${stderr}`),
					)
				: resolve(`${stdout}${stderr}`),
		),
	);
}

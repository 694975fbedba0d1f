/**
 * The fake Appcues API in a process of its own (test/fake-appcues/cli.ts), so its work does not
 * share the benchmark's event loop or heap, with a client for its /__fake/ control API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { repoRoot } from '../../test/e2e/lib/n8n';

export interface FakeProcess {
	url: string;
	child: ChildProcess;
	/** GET (no body) or POST (a JSON body) to /__fake/<path>; the parsed answer. */
	control(path: string, body?: unknown): Promise<unknown>;
}

/** What a benchmark reads of a recorded request (GET /__fake/requests). */
export interface RecordedRequestLite {
	method: string;
	segments: string[];
	status: number;
	at: number;
}

/**
 * Starts the fake with no seed data on a free port, limited to `rateLimit` requests per second
 * (its default, 60, when absent) with `latencyMs` added to every request. It keeps no request
 * bodies (benchmarks read paths and statuses only), so its memory does not grow with the run.
 */
export async function startFakeProcess(
	options: { rateLimit?: number; latencyMs?: number } = {},
): Promise<FakeProcess> {
	const root = repoRoot();
	const child = spawn(
		process.execPath,
		[
			join(root, 'node_modules/tsx/dist/cli.mjs'),
			join(root, 'test/fake-appcues/cli.ts'),
			'--seed',
			'none',
			'--port',
			'0',
			...(options.rateLimit !== undefined ? ['--rate-limit', String(options.rateLimit)] : []),
			...(options.latencyMs !== undefined ? ['--latency', String(options.latencyMs)] : []),
		],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	const [line] = (await Promise.race([
		once(child.stdout!, 'data'),
		once(child, 'exit').then(() => {
			throw new Error('the fake Appcues server exited before it listened');
		}),
	])) as [Buffer];
	process.on('exit', () => child.kill('SIGTERM'));
	const { url } = JSON.parse(line.toString().split('\n')[0]) as { url: string };
	const control = async (path: string, body?: unknown) => {
		const res = await fetch(`${url}/__fake/${path}`, {
			method: body === undefined ? 'GET' : 'POST',
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		if (!res.ok) throw new Error(`fake control ${path}: ${res.status} ${await res.text()}`);
		return res.json();
	};
	await control('settings', { recordBodies: false });
	return { url, child, control };
}

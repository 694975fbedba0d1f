/**
 * The e2e harness's account of how a child process ended (test/e2e/lib/processes.ts), with real
 * child processes: a failure message must say which signal ended n8n, who sent it and when.
 */
import { describe, expect, it } from 'vitest';

import { judgeExecute, type RunJson } from '../e2e/lib/n8n';
import { nativeCrashSignal, runTracked, type RunResult } from '../e2e/lib/processes';

const node = (code: string, timeoutMs?: number) =>
	runTracked(process.execPath, ['-e', code], { timeoutMs });

describe('e2e processes: exit reports', () => {
	it('reports an exit code and the duration', async () => {
		const res = await node('process.exit(3)');
		expect(res).toMatchObject({ code: 3, signal: null, timedOut: false, signalSent: undefined });
		expect(res.exit).toMatch(/^exit code 3 after \d+\.\d s$/);
		expect(nativeCrashSignal(res)).toBeUndefined();
	});

	it('names a crash signal the harness did not send, and classifies it as a native crash', async () => {
		const res = await node("console.log('{}'); process.kill(process.pid, 'SIGSEGV')", 60_000);
		expect(res).toMatchObject({
			code: null,
			signal: 'SIGSEGV',
			timedOut: false,
			signalSent: undefined,
		});
		expect(res.exit).toMatch(
			/^signal SIGSEGV after \d+\.\d s: not sent by the harness \(its 60000 ms timeout did not fire\)$/,
		);
		expect(nativeCrashSignal(res)).toBe('SIGSEGV');
	});

	it('says when its own timeout killed the process, and never calls that a crash', async () => {
		const res = await node('setInterval(() => {}, 1000)', 300);
		expect(res).toMatchObject({
			code: null,
			signal: 'SIGTERM',
			timedOut: true,
			signalSent: 'SIGTERM',
		});
		expect(res.exit).toMatch(
			/^signal SIGTERM after \d+\.\d s: killed by the harness, its 300 ms timeout fired$/,
		);
		expect(nativeCrashSignal(res)).toBeUndefined();
	});

	it('does not call a SIGKILL from elsewhere (e.g. the OOM killer) a native crash', async () => {
		const res = await node("process.kill(process.pid, 'SIGKILL')");
		expect(res.exit).toMatch(/^signal SIGKILL after \d+\.\d s: not sent by the harness$/);
		expect(nativeCrashSignal(res)).toBeUndefined();
	});
});

describe('e2e processes: judging `n8n execute` by its run JSON', () => {
	const ended = (
		code: number | null,
		signal: NodeJS.Signals | null,
		extra: Partial<RunResult> = {},
	): RunResult => ({
		code,
		signal,
		stdout: '',
		stderr: '',
		output: '',
		durationMs: 1000,
		timedOut: false,
		timeoutMs: 180_000,
		exit: '',
		...extra,
	});
	const run = (status: string) => ({ status }) as unknown as RunJson;

	it('accepts exit code 0 with a successful run', () => {
		expect(judgeExecute(ended(0, null), run('success'))).toEqual({
			ok: true,
			teardownCrash: undefined,
		});
	});

	it('accepts a crash signal after a printed successful run, and names it', () => {
		expect(judgeExecute(ended(null, 'SIGSEGV'), run('success'))).toEqual({
			ok: true,
			teardownCrash: 'SIGSEGV',
		});
	});

	it('names a crash after a printed failed run but does not call the run ok', () => {
		expect(judgeExecute(ended(null, 'SIGSEGV'), run('error'))).toEqual({
			ok: false,
			teardownCrash: 'SIGSEGV',
		});
	});

	it('fails a crash before any run was printed', () => {
		expect(judgeExecute(ended(null, 'SIGSEGV'), undefined)).toEqual({
			ok: false,
			teardownCrash: undefined,
		});
	});

	it('fails a successful run that our timeout or kill() ended, or a SIGKILL from elsewhere', () => {
		expect(
			judgeExecute(
				ended(null, 'SIGTERM', { timedOut: true, signalSent: 'SIGTERM' }),
				run('success'),
			).ok,
		).toBe(false);
		expect(judgeExecute(ended(null, 'SIGSEGV', { signalSent: 'SIGTERM' }), run('success')).ok).toBe(
			false,
		);
		expect(judgeExecute(ended(null, 'SIGKILL'), run('success')).ok).toBe(false);
	});

	it('fails a successful run with a non-zero exit code', () => {
		expect(judgeExecute(ended(1, null), run('success')).ok).toBe(false);
	});
});

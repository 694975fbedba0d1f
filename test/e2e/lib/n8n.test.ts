/**
 * The e2e harness's account of how a child process ended (test/e2e/lib/processes.ts), with real
 * child processes: a failure message must say which signal ended n8n, who sent it and when.
 */
import { describe, expect, it } from 'vitest';

import { judgeExecute, type RunJson } from './n8n';
import { type RunResult } from './processes';

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

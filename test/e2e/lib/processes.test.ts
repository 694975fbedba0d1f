/**
 * The e2e harness's account of how a child process ended (test/e2e/lib/processes.ts), with real
 * child processes: a failure message must say which signal ended n8n, who sent it and when.
 */
import { describe, expect, it } from 'vitest';

import { nativeCrashSignal, runTracked } from './processes';

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

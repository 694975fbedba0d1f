/**
 * Child-process bookkeeping for the e2e tests.
 *
 * Every process is spawned `detached`, so it leads its own process group; killing the
 * group (negative pid) also takes down what it spawned (n8n's internal task runner, ...).
 * All live processes are tracked and killed by `killAllProcesses()`, and synchronously with
 * SIGKILL when the test process exits or gets SIGINT/SIGTERM/SIGHUP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ExitInfo {
	/** Exit code, or null when the process was ended by a signal. */
	code: number | null;
	signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Short name used in error messages. */
	label?: string;
	/** Also append all output (stdout and stderr) to this file. */
	logFile?: string;
	/** Kill the process group when it runs longer than this (ms). Default: no limit. */
	timeoutMs?: number;
	/** Echo output to this process's stderr as it arrives (debugging). */
	echo?: boolean;
}

export interface TrackedProcess {
	readonly label: string;
	readonly pid: number;
	readonly child: ChildProcess;
	/** Resolves when the process has exited (and its group has been cleaned up). */
	readonly exited: Promise<ExitInfo>;
	/** Output so far. */
	stdout(): string;
	stderr(): string;
	/** stdout and stderr interleaved in arrival order. */
	output(): string;
	isRunning(): boolean;
	/** True when the process was killed because of `timeoutMs`. */
	timedOut(): boolean;
	/** The last signal this harness sent to the process group before it exited (timeout, kill()). */
	signalSent(): NodeJS.Signals | undefined;
	/** SIGTERM to the whole process group, SIGKILL after `graceMs`. Resolves after exit. */
	kill(graceMs?: number): Promise<ExitInfo>;
	/** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
	waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

const live = new Set<TrackedProcess>();
let hooksInstalled = false;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// ESRCH: the group is gone already.
	}
}

/** Synchronous last-resort cleanup: SIGKILL every tracked process group. */
export function killAllProcessesSync(): void {
	for (const p of live) signalGroup(p.pid, 'SIGKILL');
	live.clear();
}

function installExitHooks(): void {
	if (hooksInstalled) return;
	hooksInstalled = true;
	process.on('exit', killAllProcessesSync);
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		const onSignal = () => {
			killAllProcessesSync();
			process.removeListener(sig, onSignal);
			process.kill(process.pid, sig);
		};
		process.on(sig, onSignal);
	}
}

/** Kill every tracked process (SIGTERM, then SIGKILL after `graceMs`). */
export async function killAllProcesses(graceMs = 10_000): Promise<void> {
	await Promise.all([...live].map((p) => p.kill(graceMs)));
}

/** Number of tracked processes that are still running. */
export function liveProcessCount(): number {
	return live.size;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Spawn a tracked process in its own process group. */
export function spawnTracked(
	command: string,
	args: string[],
	opts: SpawnOptions = {},
): TrackedProcess {
	installExitHooks();
	const label = opts.label ?? [command, ...args].join(' ');
	const child = spawn(command, args, {
		cwd: opts.cwd,
		env: opts.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	if (child.pid === undefined) {
		// spawn failed synchronously (e.g. ENOENT); the 'error' event carries the reason.
		let message = `could not spawn ${command}`;
		child.once('error', (e) => (message = `${message}: ${e.message}`));
		throw new Error(message);
	}
	const pid = child.pid;
	let out = '';
	let err = '';
	let all = '';
	let running = true;
	let timedOut = false;
	let signalSent: NodeJS.Signals | undefined;
	let log: WriteStream | undefined;
	if (opts.logFile) log = createWriteStream(opts.logFile, { flags: 'a' });
	const waiters = new Set<() => void>();

	const onData = (which: 'out' | 'err') => (chunk: Buffer) => {
		const s = chunk.toString('utf8');
		if (which === 'out') out += s;
		else err += s;
		all += s;
		log?.write(s);
		if (opts.echo) process.stderr.write(s);
		for (const w of waiters) w();
	};
	child.stdout!.on('data', onData('out'));
	child.stderr!.on('data', onData('err'));

	let timer: NodeJS.Timeout | undefined;
	const exited = new Promise<ExitInfo>((resolve) => {
		let settled = false;
		const finish = async (info: ExitInfo) => {
			if (settled) return;
			settled = true;
			running = false;
			if (timer) clearTimeout(timer);
			// Reap anything the process left behind in its group (e.g. a task runner).
			signalGroup(pid, 'SIGKILL');
			// Let the pipes drain (they close once nothing in the group holds them).
			await Promise.race([
				Promise.all([
					new Promise((r) =>
						child.stdout!.readableEnded ? r(null) : child.stdout!.once('close', r),
					),
					new Promise((r) =>
						child.stderr!.readableEnded ? r(null) : child.stderr!.once('close', r),
					),
				]),
				sleep(2000),
			]);
			live.delete(tracked);
			for (const w of waiters) w();
			if (log) await new Promise((r) => log!.end(r));
			resolve(info);
		};
		child.once('exit', (code, signal) => void finish({ code, signal }));
		child.once('error', () => void finish({ code: null, signal: null }));
	});

	const tracked: TrackedProcess = {
		label,
		pid,
		child,
		exited,
		stdout: () => out,
		stderr: () => err,
		output: () => all,
		isRunning: () => running,
		timedOut: () => timedOut,
		signalSent: () => signalSent,
		async kill(graceMs = 10_000) {
			if (running) {
				signalSent = 'SIGTERM';
				signalGroup(pid, 'SIGTERM');
				const done = await Promise.race([
					exited.then(() => true),
					sleep(graceMs).then(() => false),
				]);
				if (!done && running) {
					signalSent = 'SIGKILL';
					signalGroup(pid, 'SIGKILL');
				}
			}
			return exited;
		},
		waitForOutput(pattern, timeoutMs) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const m = all.match(pattern);
					if (m) return done(() => resolve(m));
					if (!running)
						return done(() => reject(new Error(`${label} exited before printing ${pattern}`)));
				};
				const t = setTimeout(
					() => done(() => reject(new Error(`${label}: no ${pattern} within ${timeoutMs} ms`))),
					timeoutMs,
				);
				const done = (f: () => void) => {
					clearTimeout(t);
					waiters.delete(check);
					f();
				};
				waiters.add(check);
				check();
			});
		},
	};
	live.add(tracked);
	if (opts.timeoutMs !== undefined) {
		timer = setTimeout(() => {
			timedOut = true;
			void tracked.kill(2000);
		}, opts.timeoutMs);
	}
	return tracked;
}

export interface RunResult extends ExitInfo {
	stdout: string;
	stderr: string;
	/** stdout and stderr interleaved in arrival order. */
	output: string;
	durationMs: number;
	timedOut: boolean;
	/** The `timeoutMs` in force (undefined: no limit). */
	timeoutMs?: number;
	/** The last signal the harness sent (timeout or kill()); undefined when it sent none. */
	signalSent?: NodeJS.Signals;
	/** How the process ended, for failure messages: see describeExit(). */
	exit: string;
}

/** Signals of a native crash (not ones a user, the kernel's OOM killer or this harness sends). */
const CRASH_SIGNALS: ReadonlySet<string> = new Set([
	'SIGSEGV',
	'SIGBUS',
	'SIGABRT',
	'SIGILL',
	'SIGTRAP',
]);

/** The signal, when the process died of a native crash; undefined after our timeout or kill(). */
export function nativeCrashSignal(
	res: ExitInfo & Pick<RunResult, 'timedOut' | 'signalSent'>,
): NodeJS.Signals | undefined {
	if (res.timedOut || res.signalSent || !res.signal) return undefined;
	return CRASH_SIGNALS.has(res.signal) ? res.signal : undefined;
}

/**
 * One line saying how a process ended: exit code or signal, who sent the signal (our timeout,
 * our kill(), or something else: the kernel, a native crash), and how long it ran.
 */
export function describeExit(res: ExitInfo & Partial<Omit<RunResult, 'exit'>>): string {
	const ended = res.signal ? `signal ${res.signal}` : `exit code ${res.code}`;
	const after =
		res.durationMs === undefined ? '' : ` after ${(res.durationMs / 1000).toFixed(1)} s`;
	if (res.timedOut)
		return `${ended}${after}: killed by the harness, its ${res.timeoutMs} ms timeout fired`;
	if (res.signalSent) return `${ended}${after}: the harness had sent ${res.signalSent} (kill())`;
	const timeout =
		res.timeoutMs === undefined ? '' : ` (its ${res.timeoutMs} ms timeout did not fire)`;
	if (res.signal) return `${ended}${after}: not sent by the harness${timeout}`;
	return `${ended}${after}`;
}

/** Spawn a tracked process and wait for it to exit. Never rejects because of the exit code. */
export async function runTracked(
	command: string,
	args: string[],
	opts: SpawnOptions = {},
): Promise<RunResult> {
	const t0 = Date.now();
	const p = spawnTracked(command, args, opts);
	const info = await p.exited;
	const res = {
		...info,
		stdout: p.stdout(),
		stderr: p.stderr(),
		output: p.output(),
		durationMs: Date.now() - t0,
		timedOut: p.timedOut(),
		timeoutMs: opts.timeoutMs,
		signalSent: p.signalSent(),
	};
	return { ...res, exit: describeExit(res) };
}

/**
 * The whole benchmark set, one after the other, each saving its result, then bench/README.md
 * written from them (`npm run bench:all`, about 30 minutes on 2 cores). Run it on an otherwise
 * idle machine: its figures are the ones bench/README.md shows. Each step waits until the load the
 * one before it left has fallen below QUIET_LOAD (0.8; at most 10 minutes).
 *
 *   npm run bench:all
 *   npm run bench:all -- --skip queue,bulk-import     # leave some out (their last results stay)
 *
 * Steps: model, throughput-2.41.1, throughput-2.8.4, start-2.41.1, queue, bulk-import,
 * trigger-memory. Each runs as its own process; its report goes to stdout, progress to stderr. A
 * failed step is reported and the next one runs; the exit code says whether all of them worked.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { progressLog, waitForQuiet } from './lib/settings';

const ROOT = join(__dirname, '..');
const TSX = ['--import', 'tsx'];

const STEPS: Array<{ id: string; args: string[] }> = [
	{ id: 'model', args: [...TSX, 'bench/model.ts', '--save'] },
	{ id: 'throughput-2.41.1', args: [...TSX, 'bench/throughput.ts', '--n8n', '2.41.1', '--save'] },
	{
		id: 'throughput-2.8.4',
		args: [
			...TSX,
			'bench/throughput.ts',
			'--n8n',
			'2.8.4',
			'--cases',
			'ours,ours-faults,http-default,http-batch',
			'--save',
		],
	},
	{ id: 'start-2.41.1', args: [...TSX, 'bench/profile-start.ts', '--save'] },
	{ id: 'queue', args: [...TSX, 'bench/queue-throughput.ts', '--save'] },
	{ id: 'bulk-import', args: ['--expose-gc', ...TSX, 'bench/bulk-import.ts', '--save'] },
	{ id: 'trigger-memory', args: [...TSX, 'bench/trigger-memory.ts', '--save'] },
];

const { values: flags } = parseArgs({ options: { skip: { type: 'string' } } });
const skip = new Set((flags.skip ?? '').split(',').filter(Boolean));
const log = progressLog('bench:all');

function run(command: string, args: string[]): Promise<number> {
	return new Promise((resolve) => {
		const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
		child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
	});
}

async function main() {
	const started = Date.now();
	const failed: string[] = [];
	log('building the package …');
	if ((await run('npm', ['run', 'build', '--silent'])) !== 0) {
		log('the build failed');
		process.exit(1);
	}
	for (const step of STEPS.filter((s) => !skip.has(s.id))) {
		// An n8n step leaves the load high for a while: the next one starts on a quiet machine.
		await waitForQuiet(log);
		const stepStarted = Date.now();
		log(`${step.id} …`);
		const code = await run(process.execPath, step.args);
		log(
			`${step.id}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${Math.round((Date.now() - stepStarted) / 1000)} s`,
		);
		if (code !== 0) failed.push(step.id);
	}
	await run(process.execPath, [...TSX, 'bench/readme.ts']);
	log(
		`all done in ${Math.round((Date.now() - started) / 60_000)} min${failed.length ? `; failed: ${failed.join(', ')}` : ''}`,
	);
	process.exit(failed.length ? 1 : 0);
}

void main();

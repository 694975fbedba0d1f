/**
 * The Appcues package in n8n 2.41.1 queue mode, for real:
 *
 *   npm run test:e2e:queue          # also part of npm run test:e2e (skipped when N8N_E2E_VERSIONS excludes 2.41.1)
 *
 * Redis and PostgreSQL (installed with apt-get when missing, started on free ports in a temporary
 * folder), one main, two workers (`n8n worker --concurrency=10`), one webhook processor, one shared
 * N8N_ENCRYPTION_KEY, the packed package in each instance's .n8n/nodes. Every example workflow runs
 * on a worker (started through main's REST API, as the editor's "Execute workflow" does; `n8n
 * execute` would run in the CLI process) with the same checks as appcues.e2e.ts; signed deliveries
 * go to the webhook processor; duplicates go to both entry points. Prints timings, memory and what
 * it measured about duplicates.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FakeAppcues } from '../fake-appcues/server';
import { seedDemoData } from '../fake-appcues/seed';
import {
	appcuesCredentials,
	loadWorkflows,
	signDelivery,
	triggerWebhookPath,
	WEBHOOK_SECRET,
} from './lib/appcues';
import {
	ACCOUNT,
	EXAMPLE_CHECKS,
	explain,
	KEY_AUTH,
	SECRETS,
	V2,
	type ExampleContext,
} from './lib/example-checks';
import { liveProcessCount, packPackage, type ExecuteResult } from './lib/n8n';
import {
	createQueueTopology,
	importIntoQueue,
	type QueueExecution,
	type QueueTopology,
} from './lib/queue';
import { selectedVersions } from './lib/versions';

const workflows = loadWorkflows();
const trigger = workflows.trigger;
const hookPath = triggerWebhookPath(trigger);
const report: string[] = [];
const note = (line: string) => report.push(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe.skipIf(!selectedVersions().includes('2.41.1'))(
	'Appcues package in n8n 2.41.1 queue mode (main, 2 workers, webhook processor)',
	() => {
		let queue: QueueTopology;
		let fake: FakeAppcues;
		let packDir: string | undefined;
		const suiteStarted = Date.now();
		/** Each example's result, for the binary-data test. */
		const results = new Map<string, ExecuteResult & { executionId: string; worker: number }>();

		beforeAll(async () => {
			const t0 = Date.now();
			fake = new FakeAppcues({ accounts: [ACCOUNT], seed: seedDemoData, jobPollsToFinish: 1 });
			await fake.start();
			packDir = await mkdtemp(join(tmpdir(), 'n8n-e2e-queue-pack-'));
			const tarball = await packPackage(undefined, packDir);
			queue = await createQueueTopology({ tarball });
			for (const sandbox of queue.sandboxes) {
				expect(sandbox.userFolder).toMatch(/^\/.+\/home$/);
			}
			await importIntoQueue(queue, {
				credentials: appcuesCredentials(fake.url, ACCOUNT, fake.toolsUrl),
				workflows: Object.values(workflows),
				publish: [trigger.id],
			});
			await queue.start();
			// Activation of published workflows finishes after readiness; both entry points must serve the path.
			await queue.process(queue.main).waitForWebhook(hookPath, { timeoutMs: 60_000 });
			await queue.process(queue.webhook).waitForWebhook(hookPath, { timeoutMs: 60_000 });
			const memory = await queue.memoryMb();
			const { services, package: pkg, import: imported, start } = queue.timings;
			note(
				`topology up in ${seconds(Date.now() - t0)} (services ${seconds(services)} [${Object.entries(
					queue.services.timings,
				)
					.map(([k, v]) => `${k} ${v} ms`)
					.join(
						', ',
					)}], package into 4 folders ${seconds(pkg)}, import + publish ${seconds(imported)}, 4 n8n processes ready ${seconds(start)})`,
			);
			note(`memory after start (RSS MB): ${JSON.stringify(memory)}`);
		});

		beforeEach((ctx) => {
			ctx.onTestFailed(() => {
				if (queue) queue.keep = true;
				console.log(
					`queue mode: kept ${queue?.services.root} and the n8n folders for the failed test "${ctx.task.name}"\n${queue?.allOutput().slice(-8000)}`,
				);
			});
		});

		afterAll(async () => {
			// Recorded, not asserted: BullMQ hands each job to whichever worker asks first.
			note(
				`examples per worker: ${queue?.workers.map((_, i) => [...results.values()].filter((r) => r.worker === i).length).join(' / ')}`,
			);
			await queue?.stop();
			await fake?.close();
			if (packDir) await rm(packDir, { recursive: true, force: true });
			note(`whole queue-mode suite: ${seconds(Date.now() - suiteStarted)}`);
			console.log(`Queue-mode e2e:\n  ${report.join('\n  ')}`);
		});

		/** Run an example on a worker: manual run through main's REST API, result read from Postgres. */
		async function runOnWorker(key: string, expectOk = true): Promise<ExecuteResult> {
			fake.reset();
			const t0 = Date.now();
			const executionId = await queue.runManual(workflows[key].id);
			const execution = await queue.waitForExecution(executionId);
			const worker = await queue.waitForWorkerFinish(executionId);
			note(
				`example ${key}: execution ${executionId} ran on worker ${worker} in ${seconds(Date.now() - t0)}`,
			);
			const output = queue.allOutput();
			const res: ExecuteResult = {
				code: execution.status === 'success' ? 0 : 1,
				signal: null,
				stdout: '',
				stderr: '',
				output,
				durationMs: Date.now() - t0,
				timedOut: false,
				exit: `queue-mode execution ${executionId} ended with status ${execution.status}`,
				ok: execution.status === 'success',
				run: { status: execution.status, mode: execution.mode, data: execution.data! },
			};
			// Proof of where it ran: a worker logged it, main's REST call created it as a manual run.
			expect(queue.workerOf(executionId)).toBe(worker);
			expect(execution.mode).toBe('manual');
			expect(execution.data, 'run data stored').toBeDefined();
			for (const secret of SECRETS)
				expect(output, 'a secret appeared in the n8n output').not.toContain(secret);
			for (const secret of SECRETS)
				expect(JSON.stringify(execution.data), 'a secret appeared in the run data').not.toContain(
					secret,
				);
			if (expectOk) expect(res.ok, explain(res)).toBe(true);
			results.set(key, { ...res, executionId, worker });
			return res;
		}

		const example: ExampleContext = {
			run: runOnWorker,
			get fake() {
				return fake;
			},
		};

		for (const [key, { title, check }] of Object.entries(EXAMPLE_CHECKS)) {
			it(`on a worker: ${title}`, async () => {
				const res = await check(example);
				if (key === 'wrong-key') expect(res.run?.status).toBe('error');
			});
		}

		it('the analytics export keeps its binary download in the database store; main serves it', async () => {
			if (!results.has('analytics')) await runOnWorker('analytics');
			const analytics = results.get('analytics')!;
			const [exported] =
				analytics.run!.data.resultData.runData['Export Analytics'][0].data!.main![0]!;
			const binary = exported.binary?.report as
				{ id?: string; fileName?: string; fileSize?: string } | undefined;
			// Queue mode's default binary data mode (N8N_DEFAULT_BINARY_DATA_MODE unset) is "database".
			expect(binary?.id).toMatch(/^database:/);
			const stored = await queue.services.query<{ n: number }>(
				`SELECT count(*)::int AS n FROM binary_data WHERE "sourceId" = '${analytics.executionId}'`,
			);
			expect(stored[0].n).toBeGreaterThanOrEqual(1);
			// Written by a worker, downloaded from main as the editor does.
			const csv = await queue.rest<string>(
				'GET',
				`binary-data?id=${encodeURIComponent(binary!.id!)}&action=download`,
			);
			expect(csv).toMatch(/signed_up/);
			expect(csv.split(/\r?\n/).filter(Boolean)).toHaveLength(5);
		});

		describe('Appcues Trigger deliveries', () => {
			const entry = (which: 'main' | 'webhook') =>
				queue.process(which === 'main' ? queue.main : queue.webhook).baseUrl;
			const deliver = async (
				which: 'main' | 'webhook',
				body: string,
				headers: Record<string, string>,
			) => {
				const res = await fetch(`${entry(which)}/webhook/${hookPath}`, {
					method: 'POST',
					headers,
					body,
				});
				return { status: res.status, text: await res.text() };
			};
			const nps = (id: string, user: string, score: number) =>
				JSON.stringify({
					id,
					name: 'appcues:nps_score',
					user_id: user,
					attributes: { score, flowId: 'nps-1' },
				});
			const executions = () => queue.listExecutions(trigger.id);
			/** Forget the event ids the trigger has seen (n8n keeps them in the workflow's static data). */
			const forgetSeenEvents = () =>
				queue.services.query(
					`UPDATE workflow_entity SET "staticData" = NULL WHERE id = '${trigger.id}' RETURNING id`,
				);
			const settle = () => new Promise((resolve) => setTimeout(resolve, 2000));
			const ranOnWorkers = async (rows: QueueExecution[]) => {
				for (const row of rows) {
					expect(row).toMatchObject({ mode: 'webhook', status: 'success' });
					expect(queue.workerOf(row.id), `execution ${row.id} ran on a worker`).toBeTypeOf(
						'number',
					);
				}
			};

			it('signed deliveries to the webhook processor run on workers; tampered and unsigned ones get 401 and start none', async () => {
				fake.reset();
				const before = (await executions()).length;
				const bodies = ['ada', 'grace', 'alan'].map((user, i) =>
					nps(`evt-queue-${user}`, user, 7 + i),
				);
				for (const body of bodies)
					expect(await deliver('webhook', body, signDelivery(WEBHOOK_SECRET, body))).toEqual({
						status: 200,
						text: '',
					});
				const rows = (await queue.waitForExecutions(trigger.id, before + 3)).slice(0, 3);
				await ranOnWorkers(rows);
				// The webhook processor enqueued them; main did not see them.
				for (const row of rows) {
					await queue.waitForWorkerFinish(row.id);
					const details = await queue.getExecution(row.id);
					const event = JSON.parse(
						bodies.find((b) =>
							b.includes(
								String(
									details?.data?.resultData.runData['Appcues Trigger']?.[0]?.data?.main?.[0]?.[0]
										?.json.id,
								),
							),
						)!,
					);
					expect(
						details?.data?.resultData.runData['Save NPS Score']?.[0]?.data?.main?.[0]?.map(
							(item) => item.json,
						),
					).toEqual([{ user_id: event.user_id, status: 200 }]);
				}
				const patches = fake.requests.map((r) => ({
					method: r.method,
					path: r.rawPath,
					auth: r.headers.authorization,
					body: r.body,
				}));
				expect(patches).toHaveLength(3);
				expect(patches).toEqual(
					expect.arrayContaining(
						['ada', 'grace', 'alan'].map((user, i) => ({
							method: 'PATCH',
							path: `${V2}/users/${user}/profile`,
							auth: KEY_AUTH,
							body: { last_nps_score: 7 + i, last_nps_event: `evt-queue-${user}` },
						})),
					),
				);

				const body = nps('evt-queue-tamper', 'ada', 9);
				const signed = signDelivery(WEBHOOK_SECRET, body);
				expect(await deliver('webhook', body.replace('"score":9', '"score":10'), signed)).toEqual({
					status: 401,
					text: 'Unauthorized',
				});
				expect(await deliver('webhook', body, { 'Content-Type': 'application/json' })).toEqual({
					status: 401,
					text: 'Unauthorized',
				});
				await settle();
				expect(await executions()).toHaveLength(before + 3);
				expect(fake.requests).toHaveLength(3);
			});

			it('a duplicate delivery sent first to the webhook processor, then to main, starts no second run', async () => {
				fake.reset();
				await forgetSeenEvents();
				const before = (await executions()).length;
				const body = nps('evt-queue-dup-1', 'ada', 6);
				const signed = signDelivery(WEBHOOK_SECRET, body);
				expect(await deliver('webhook', body, signed)).toEqual({ status: 200, text: '' });
				await ranOnWorkers((await queue.waitForExecutions(trigger.id, before + 1)).slice(0, 1));
				expect(await deliver('main', body, signed)).toEqual({ status: 200, text: '' });
				await settle();
				expect(await executions()).toHaveLength(before + 1);
				expect(fake.requests).toHaveLength(1);

				// Measured, not asserted: a second event id after the first (n8n 2.41.1 saves a webhook's
				// static data only when the workflow had none, so the trigger's dedupe memory keeps one id).
				const second = nps('evt-queue-dup-2', 'grace', 5);
				const secondSigned = signDelivery(WEBHOOK_SECRET, second);
				const start = (await executions()).length;
				expect((await deliver('webhook', second, secondSigned)).status).toBe(200);
				await queue.waitForExecutions(trigger.id, start + 1);
				expect((await deliver('main', second, secondSigned)).status).toBe(200);
				await settle();
				const runs = (await executions()).length - start;
				note(
					`duplicate of a second event id (webhook processor, then main, 2 s apart): ${runs} execution(s)`,
				);
				expect(runs).toBeGreaterThanOrEqual(1);
			});

			it('measures the same delivery reaching the webhook processor and main at the same instant', async () => {
				const counts: number[] = [];
				for (let trial = 0; trial < 5; trial++) {
					await forgetSeenEvents();
					const before = (await executions()).length;
					const body = nps(`evt-queue-race-${trial}`, 'alan', trial);
					const signed = signDelivery(WEBHOOK_SECRET, body);
					const answers = await Promise.all([
						deliver('webhook', body, signed),
						deliver('main', body, signed),
					]);
					expect(answers.map((a) => a.status)).toEqual([200, 200]);
					await queue.waitForExecutions(trigger.id, before + 1);
					await settle();
					const all = await executions();
					const rows = all.slice(0, all.length - before);
					await ranOnWorkers(rows);
					counts.push(rows.length);
				}
				note(
					`same delivery to both at the same instant, 5 trials: executions per trial ${counts.join(', ')}`,
				);
				// Nothing is lost; a second run is what n8n's per-request static data allows (see the README).
				for (const count of counts) expect(count).toBeGreaterThanOrEqual(1);
			});
		});

		it('stops every process it started', async () => {
			const pids = [...queue.sandboxes.map((s) => queue.process(s).pid), ...queue.services.pids()];
			expect(pids).toHaveLength(6);
			note(`memory at the end (RSS MB): ${JSON.stringify(await queue.memoryMb())}`);
			const t0 = Date.now();
			await queue.stop();
			note(`stop: ${seconds(Date.now() - t0)}`);
			for (const pid of pids) expect(() => process.kill(-pid, 0), `process group ${pid}`).toThrow();
			expect(liveProcessCount()).toBe(0);
		});
	},
);

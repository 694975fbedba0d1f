/**
 * Queue mode (n8n 2.41.1: main, one worker, one webhook processor, Redis, PostgreSQL) with the
 * package in a local npm registry: how a package installed on main reaches the other processes,
 * and n8n's environment-managed install (N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV, n8n 2.21+).
 *
 * What n8n does (dist/modules/community-packages/community-packages.service.js): after an install,
 * update or uninstall, main publishes a command on Redis (`community-package-install`, `-update`,
 * `-uninstall`); every worker and webhook processor handles it by installing the package from the
 * registry itself, with the same registry checks as main (the licence check of a custom registry
 * included), or by deleting its own copy. The env-managed reconcile runs on main at start-up only.
 *
 *   npx vitest run --config test/registry/vitest.config.mts test/registry/queue.registry.ts
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

import { readJson, type PackageJson } from '../../scripts/links';
import { appcuesCredentials, loadWorkflows } from '../e2e/lib/appcues';
import { nodeOutput, packPackage, repoRoot, stripAnsi, type N8nSandbox } from '../e2e/lib/n8n';
import { createQueueTopology, importIntoQueue, type QueueTopology } from '../e2e/lib/queue';
import { startRegistry, type NpmRegistry } from '../e2e/lib/registry';
import { selectedVersions } from '../e2e/lib/versions';
import { DEFAULT_ACCOUNT, FakeAppcues } from '../fake-appcues/server';
import { seedDemoData } from '../fake-appcues/seed';
import { enableCustomRegistry, runNpm } from './lib/n8n-registry';

const PACKAGE = 'n8n-nodes-appcues';
const VERSION = readJson<PackageJson>(join(repoRoot(), 'package.json')).version;
const TAGS = loadWorkflows().tags;

const packageDir = (sandbox: N8nSandbox) => join(sandbox.n8nDir, 'nodes', 'node_modules', PACKAGE);

describe.skipIf(!selectedVersions().includes('2.41.1'))(
	'queue mode (n8n 2.41.1): a package installed on main, and the env-managed install',
	() => {
		let registry: NpmRegistry;
		let fake: FakeAppcues;
		let queue: QueueTopology;
		const timings: Record<string, number> = {};
		const output = (sandbox: N8nSandbox) => stripAnsi(queue.process(sandbox).output());

		beforeAll(async () => {
			const t0 = Date.now();
			registry = await startRegistry();
			await registry.publish(await packPackage());
			fake = new FakeAppcues({ seed: seedDemoData });
			const fakeUrl = await fake.start();
			queue = await createQueueTopology({
				workers: 1,
				env: { E2E_TESTS: 'true', ...registry.n8nEnv() },
				// At debug level n8n's log lines carry their details (why an install was skipped).
				logLevel: 'debug',
			});
			await importIntoQueue(queue, {
				credentials: appcuesCredentials(fakeUrl),
				workflows: [TAGS],
			});
			await queue.start();
			await enableCustomRegistry(queue.process(queue.main).baseUrl);
			timings.setup = Date.now() - t0;
		});

		afterAll(async () => {
			process.stdout.write(
				`queue registry suite timings (ms): ${JSON.stringify({ ...timings, ...queue?.timings })}\n`,
			);
			await queue?.stop();
			await registry?.stop();
			await fake?.close();
		});

		const keepOnFailure = () =>
			onTestFailed(() => {
				queue.keep = true;
				registry.keep = true;
			});

		it('main installs it from the registry; the worker and the webhook processor get the command and, without the licence, skip it', async () => {
			keepOnFailure();
			const [worker] = queue.workers;
			const t0 = Date.now();
			const installed = await queue.rest<{ installedVersion: string }>(
				'POST',
				'community-packages',
				{ name: PACKAGE },
			);
			expect(installed.installedVersion).toBe(VERSION);
			for (const other of [worker, queue.webhook]) {
				// The whole line: at debug level n8n prints its details after it, with a space after every colon.
				await queue
					.process(other)
					.waitForOutput(/Skipped installing community package[^\n]*\n/, 60_000);
				const skipped = output(other)
					.split('\n')
					.find((line) => line.includes('Skipped installing community package'));
				expect(skipped).toMatch(
					/"packageName": "n8n-nodes-appcues".*"reason": "Your license does not allow for feat: communityNodes: customRegistry\./,
				);
				expect(existsSync(packageDir(other))).toBe(false);
			}
			timings.installOnMain = Date.now() - t0;
		});

		it('with the package in its own nodes folder (npm install, as for any queue-mode instance), the worker runs the node', async () => {
			keepOnFailure();
			const [worker] = queue.workers;
			const t0 = Date.now();
			await runNpm(
				['install', '--legacy-peer-deps', `${PACKAGE}@${VERSION}`],
				join(worker.n8nDir, 'nodes'),
				registry.npmEnv(),
			);
			await queue.restart(worker);
			timings.workerInstallAndRestart = Date.now() - t0;
			fake.reset();
			const id = await queue.runManual(TAGS.id);
			const execution = await queue.waitForExecution(id);
			expect(execution.status).toBe('success');
			expect(queue.workerOf(id)).toBe(0);
			const run = { data: execution.data! } as Parameters<typeof nodeOutput>[0];
			expect(nodeOutput(run, 'List Tags')).toHaveLength(2);
			expect(fake.requests.map((r) => `${r.method} ${r.rawPath}`)).toContain(
				`GET /v2/accounts/${DEFAULT_ACCOUNT.accountId}/tags`,
			);
		});

		it('env-managed, the installed version listed: nothing to fetch, and the API refuses changes', async () => {
			keepOnFailure();
			const t0 = Date.now();
			await queue.restart(queue.main, {
				N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true',
				N8N_COMMUNITY_PACKAGES: JSON.stringify([{ name: PACKAGE, version: VERSION }]),
			});
			timings.mainRestartManaged = Date.now() - t0;
			const log = output(queue.main);
			expect(log).toContain('reconciling installed community packages from env vars');
			expect(log).not.toMatch(/Failed to (install|update|remove) community package/);
			const [listed] = await queue.rest<Array<{ installedVersion: string }>>(
				'GET',
				'community-packages',
			);
			expect(listed.installedVersion).toBe(VERSION);
			await expect(queue.rest('POST', 'community-packages', { name: PACKAGE })).rejects.toThrow(
				/managed via environment variables/,
			);
		});

		it('env-managed, the package no longer listed: main removes it, and the removal reaches the worker', async () => {
			keepOnFailure();
			const [worker] = queue.workers;
			const t0 = Date.now();
			await queue.restart(queue.main, {
				N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true',
				N8N_COMMUNITY_PACKAGES: '[]',
			});
			timings.mainRestartRemoval = Date.now() - t0;
			expect(output(queue.main)).toMatch(
				new RegExp(
					`Removed community package '${PACKAGE}'.*not declared in N8N_COMMUNITY_PACKAGES`,
				),
			);
			expect(await queue.rest('GET', 'community-packages')).toEqual([]);
			expect(existsSync(packageDir(queue.main))).toBe(false);
			await queue
				.process(worker)
				.waitForOutput(new RegExp(`Community package uninstalled: ${PACKAGE}`), 60_000);
			expect(existsSync(packageDir(worker))).toBe(false);
		});
	},
);

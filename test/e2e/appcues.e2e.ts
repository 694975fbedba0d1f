/**
 * The Appcues package in real n8n (2.8.4 on Node 20, 2.41.1 on Node 24), end to end:
 *
 *   npm run test:e2e                              # both versions
 *   N8N_E2E_VERSIONS=2.8.4 npm run test:e2e       # one version (or 2.41.1)
 *
 * Per version: `npm pack` the built package, install the tarball into a fresh n8n user folder as
 * a community package (node types n8n-nodes-appcues.*), start the fake Appcues API in this process,
 * import the credentials (custom region pointing at the fake) and every workflow of
 * test/e2e/workflows/ in one CLI call each, then run each workflow with `n8n execute --id` and check
 * its output and the requests the fake received. Then publish the trigger workflow, `n8n start`,
 * and send signed, tampered, unsigned, stale and replayed deliveries over HTTP; and run the
 * credential's Test through n8n's REST API as the editor's Test button does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FakeAppcues } from '../fake-appcues/server';
import { seedDemoData } from '../fake-appcues/seed';
import {
	appcuesCredentials,
	SANDBOX_CREDENTIAL,
	loadWorkflows,
	signDelivery,
	triggerWebhookPath,
	WEBHOOK_SECRET,
} from './lib/appcues';
import {
	createN8nSandbox,
	disposeAll,
	liveProcessCount,
	packPackage,
	type CredentialJson,
	type ExecuteResult,
	type N8nSandbox,
	type RunningN8n,
} from './lib/n8n';
import { ACCOUNT, EXAMPLE_CHECKS, explain, KEY_AUTH, SECRETS, toCall, V2, WRONG_AUTH, type ExampleContext } from './lib/example-checks';
import { selectedVersions } from './lib/versions';

const workflows = loadWorkflows();
let packDir: string | undefined;
let tarball: Promise<string> | undefined;
const timings: string[] = [];

/** The package is packed once for all versions, into a folder removed at the end. */
function packOnce(): Promise<string> {
	tarball ??= mkdtemp(join(tmpdir(), 'n8n-e2e-appcues-pack-')).then((dir) => {
		packDir = dir;
		return packPackage(undefined, dir);
	});
	return tarball;
}

afterAll(async () => {
	await disposeAll();
	if (packDir) await rm(packDir, { recursive: true, force: true });
	if (timings.length) console.log(`Appcues e2e timings:\n  ${timings.join('\n  ')}`);
});

describe.each(selectedVersions())('Appcues package in n8n %s', (version) => {
	let n8n: N8nSandbox;
	let fake: FakeAppcues;
	const t = (label: string, since: number) => timings.push(`${version} ${label}: ${((Date.now() - since) / 1000).toFixed(1)} s`);

	beforeAll(async () => {
		const t0 = Date.now();
		fake = new FakeAppcues({ accounts: [ACCOUNT], seed: seedDemoData, jobPollsToFinish: 1 });
		await fake.start();
		n8n = await createN8nSandbox(version);
		const dest = await n8n.installPackageTarball(await packOnce());
		expect(dest).toBe(`${n8n.userFolder}/.n8n/nodes/node_modules/n8n-nodes-appcues`);
		await n8n.importCredentials(appcuesCredentials(fake.url, ACCOUNT));
		// All example workflows in one CLI call.
		await n8n.importWorkflows(Object.values(workflows));
		t('setup (sandbox, install, import credentials and workflows)', t0);
	});

	beforeEach((ctx) => {
		// Keep the user folder (logs, database) of a failed test for a look.
		ctx.onTestFailed(() => {
			if (n8n) n8n.keep = true;
			console.log(`n8n ${version}: kept ${n8n?.root} for the failed test "${ctx.task.name}"`);
		});
	});

	afterAll(async () => {
		await n8n?.dispose();
		await fake?.close();
	});

	async function run(key: string, expectOk = true): Promise<ExecuteResult> {
		fake.reset();
		const t0 = Date.now();
		const res = await n8n.executeWorkflow(workflows[key].id);
		t(`execute ${key}`, t0);
		for (const secret of SECRETS) expect(res.output, 'a secret appeared in the n8n output').not.toContain(secret);
		if (expectOk) expect(res.ok, explain(res)).toBe(true);
		return res;
	}

	const calls = () => fake.requests.map(toCall);

	const example: ExampleContext = {
		run,
		get fake() {
			return fake;
		},
	};
	for (const [key, { title, check }] of Object.entries(EXAMPLE_CHECKS)) {
		if (key === 'wrong-key') continue;
		it(title, async () => {
			await check(example);
		});
	}

	it(EXAMPLE_CHECKS['wrong-key'].title, async () => {
		const res = await EXAMPLE_CHECKS['wrong-key'].check(example);
		expect(res.code).toBe(1);
		const [row] = await n8n.listExecutions({ workflowId: workflows['wrong-key'].id });
		expect(row).toMatchObject({ mode: 'cli', status: 'error' });
	});

	describe('published trigger workflow in a running n8n', () => {
		let server: RunningN8n;
		const trigger = workflows.trigger;
		const path = triggerWebhookPath(trigger);

		beforeAll(async () => {
			let t0 = Date.now();
			await n8n.publishWorkflow(trigger.id);
			t('publish trigger workflow', t0);
			t0 = Date.now();
			server = await n8n.start();
			await server.waitForWebhook(path);
			t(`start n8n until the webhook answers (ready after ${server.startupMs} ms)`, t0);
		});

		afterAll(async () => {
			await n8n?.stop();
		});

		const deliver = async (body: string, headers: Record<string, string>) => {
			const res = await fetch(`${server.baseUrl}/webhook/${path}`, { method: 'POST', headers, body });
			return { status: res.status, text: await res.text() };
		};

		it('runs once for a signed delivery; refuses tampered, unsigned and stale ones; ignores a replay and a filtered event', async () => {
			const t0 = Date.now();
			fake.reset();
			const event = { id: 'evt-nps-1', name: 'appcues:nps_score', user_id: 'ada', attributes: { score: 9, flowId: 'nps-1' } };
			const body = JSON.stringify(event);
			const signed = signDelivery(WEBHOOK_SECRET, body);

			expect(await deliver(body, signed)).toEqual({ status: 200, text: '' });
			const [execution] = await n8n.waitForExecutions({ workflowId: trigger.id, count: 1 });
			expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
			const details = await n8n.getExecution(execution.id);
			const out = (node: string) => details?.data?.resultData.runData[node]?.[0]?.data?.main?.[0]?.map((item) => item.json);
			expect(out('Appcues Trigger')).toEqual([event]);
			expect(out('Save NPS Score')).toEqual([{ user_id: 'ada', status: 200 }]);
			expect(calls()).toEqual([
				{ method: 'PATCH', path: `${V2}/users/ada/profile`, auth: KEY_AUTH, status: 200, body: { last_nps_score: 9, last_nps_event: 'evt-nps-1' } },
			]);

			// Refused: the signature no longer matches the body, no signature, a timestamp 10 minutes old.
			const tampered = body.replace('"score":9', '"score":10');
			expect(await deliver(tampered, signed)).toEqual({ status: 401, text: 'Unauthorized' });
			expect(await deliver(body, { 'Content-Type': 'application/json' })).toEqual({ status: 401, text: 'Unauthorized' });
			const stale = signDelivery(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000) - 600);
			expect(await deliver(body, stale)).toEqual({ status: 401, text: 'Unauthorized' });
			// Acknowledged without a run: the very same delivery again, and an event the trigger does not want.
			expect(await deliver(body, signed)).toEqual({ status: 200, text: '' });
			const other = JSON.stringify({ id: 'evt-flow-1', name: 'appcues:flow_started', user_id: 'ada' });
			expect(await deliver(other, signDelivery(WEBHOOK_SECRET, other))).toEqual({ status: 200, text: '' });

			// Give n8n time to start anything it wrongly accepted, then count again.
			await new Promise((resolve) => setTimeout(resolve, 2000));
			const executions = await n8n.listExecutions({ workflowId: trigger.id });
			expect(executions.map((e) => e.id)).toEqual([execution.id]);
			expect(calls()).toHaveLength(1);
			for (const secret of SECRETS) expect(server.output()).not.toContain(secret);
			t('webhook deliveries', t0);
		});

		/** The editor's REST API, as the owner (set up on first use, as on a first visit). */
		let cookie: string | undefined;
		const rest = async <T>(path: string, body: unknown): Promise<T> => {
			const headers = { 'Content-Type': 'application/json', 'browser-id': 'appcues-e2e' };
			if (!cookie) {
				const setup = await fetch(`${server.baseUrl}/rest/owner/setup`, {
					method: 'POST',
					headers,
					body: JSON.stringify({ email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Password-123' }),
				});
				expect(setup.status, await setup.clone().text()).toBe(200);
				cookie = setup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
			}
			const res = await fetch(`${server.baseUrl}/rest/${path}`, { method: 'POST', headers: { ...headers, cookie }, body: JSON.stringify(body) });
			const text = await res.text();
			expect(res.status, text).toBe(200);
			return (JSON.parse(text) as { data: T }).data;
		};

		it("tests the credential as the editor's Test button does (REST API), telling a wrong secret apart", async () => {
			fake.reset();
			const test = (credential: CredentialJson) =>
				rest<{ status: string; message: string }>('credentials/test', { credentials: { ...credential, type: 'appcuesApi' } });
			const [good, wrong] = appcuesCredentials(fake.url, ACCOUNT);
			const otherAccount = { ...good, data: { ...good.data, accountId: '99999' } };
			expect(await test(good)).toEqual({ status: 'OK', message: 'Connection successful!' });
			// n8n 2.8.x does not apply a credential's `test.rules` to HTTP errors: the NodeApiError
			// its request helper throws has no `cause.response`, so credentials-tester.service.js
			// falls back to the error's generic message. n8n 2.41.1 shows the credential's messages.
			const generic = version === '2.8.4';
			expect(await test(wrong)).toEqual({
				status: 'Error',
				message: generic ? 'Authorization failed - please check your credentials' : expect.stringContaining('Appcues rejected the API key and secret (401)'),
			});
			expect(await test(otherAccount)).toEqual({
				status: 'Error',
				message: generic ? 'Forbidden - perhaps check your credentials?' : expect.stringContaining('do not give access to this Account ID (403)'),
			});
			const refused = { method: 'GET', path: `${V2}/tags`, auth: WRONG_AUTH, status: 401 };
			expect(calls()).toEqual([
				{ method: 'GET', path: `${V2}/tags`, auth: KEY_AUTH, status: 200 },
				// n8n's httpRequestWithAuthentication (2.8.4 and 2.41.1) sends a request answered 401 once
				// more, after the credential type's preAuthentication (a no-op here). The node's own
				// requests are not affected: it reads 401s as answers (ignoreHttpStatusErrors).
				refused,
				refused,
				{ method: 'GET', path: '/v2/accounts/99999/tags', auth: KEY_AUTH, status: 403 },
			]);
		});

		it('fills the "From List" pickers of the editor (listSearch: segments with a filter, experiences of a type, tags)', async () => {
			fake.reset();
			const search = (methodName: string, parameters: Record<string, unknown>, filter?: string) =>
				rest<{ results: Array<{ name: string; value: string }> }>('dynamic-node-parameters/resource-locator-results', {
					methodName,
					...(filter !== undefined ? { filter } : {}),
					nodeTypeAndVersion: { name: 'n8n-nodes-appcues.appcues', version: 1 },
					currentNodeParameters: parameters,
					path: `parameters.${Object.keys(parameters).at(-1)}`,
					credentials: { appcuesApi: { id: SANDBOX_CREDENTIAL.id, name: SANDBOX_CREDENTIAL.name } },
				});
			const locator = { __rl: true, mode: 'list', value: '' };
			expect((await search('searchSegments', { resource: 'segment', operation: 'get', segmentId: locator }, 'trial')).results).toEqual([
				{ name: 'Trial Users', value: 'seg-trial' },
			]);
			const pins = await search('searchExperiences', { resource: 'experience', operation: 'get', experienceType: 'pins', experienceId: locator });
			expect(pins.results.map((r) => r.value)).toEqual(['pins-1', 'pins-2']);
			const tags = await search('searchTags', { resource: 'tag', operation: 'get', tagId: locator });
			// Sorted by name: billing, onboarding, release notes.
			expect(tags.results.map((r) => r.value)).toEqual(['tag-billing', 'tag-onboarding', 'tag-release']);
			expect(calls().map((c) => [c.method, c.path, c.auth])).toEqual([
				['GET', `${V2}/segments`, KEY_AUTH],
				['GET', `${V2}/pins`, KEY_AUTH],
				['GET', `${V2}/tags`, KEY_AUTH],
			]);
		});

		it('stops n8n and leaves no process behind', async () => {
			const pid = server.pid;
			await server.stop();
			expect(() => process.kill(-pid, 0)).toThrow();
			expect(n8n.running).toBeUndefined();
			expect(liveProcessCount()).toBe(0);
		});
	});
});

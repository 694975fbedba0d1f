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
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
	nodeOutput,
	repoRoot,
	type RunningN8n,
	type WorkflowJson,
} from './lib/n8n';
import {
	ACCOUNT,
	EXAMPLE_CHECKS,
	explain,
	KEY_AUTH,
	SECRETS,
	toCall,
	V2,
	WRONG_AUTH,
	type ExampleContext,
} from './lib/example-checks';
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
	const t = (label: string, since: number) =>
		timings.push(`${version} ${label}: ${((Date.now() - since) / 1000).toFixed(1)} s`);

	beforeAll(async () => {
		const t0 = Date.now();
		fake = new FakeAppcues({ accounts: [ACCOUNT], seed: seedDemoData, jobPollsToFinish: 1 });
		await fake.start();
		n8n = await createN8nSandbox(version);
		const dest = await n8n.installPackageTarball(await packOnce());
		expect(dest).toBe(`${n8n.userFolder}/.n8n/nodes/node_modules/n8n-nodes-appcues`);
		await n8n.importCredentials(appcuesCredentials(fake.url, ACCOUNT, fake.toolsUrl));
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
		for (const secret of SECRETS)
			expect(res.output, 'a secret appeared in the n8n output').not.toContain(secret);
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
		if (!res.teardownCrash) expect(res.code, explain(res)).toBe(1);
		const [row] = await n8n.listExecutions({ workflowId: workflows['wrong-key'].id });
		expect(row).toMatchObject({ mode: 'cli', status: 'error' });
	});

	it('a redirect from the API is an error naming the host, and the other host gets no credentials', async () => {
		const received: IncomingHttpHeaders[] = [];
		const listen = async (server: Server) => {
			await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
			return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		};
		const otherHost = createServer((req, res) => {
			received.push(req.headers);
			res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
		});
		const otherUrl = await listen(otherHost);
		const redirecting = createServer((req, res) =>
			res.writeHead(307, { Location: `${otherUrl}${req.url}` }).end(),
		);
		const redirectingUrl = await listen(redirecting);
		try {
			const [credential] = await n8n.importCredentials({
				name: 'Appcues Redirecting',
				type: 'appcuesApi',
				data: { ...appcuesCredentials(redirectingUrl, ACCOUNT)[0].data },
			});
			const workflow = await n8n.importWorkflow({
				name: 'Appcues redirect check',
				nodes: [
					{
						id: 'b1',
						name: 'Start',
						type: 'n8n-nodes-base.manualTrigger',
						typeVersion: 1,
						position: [0, 0],
						parameters: {},
					},
					{
						id: 'b2',
						name: 'Track Event',
						type: 'n8n-nodes-appcues.appcues',
						typeVersion: 1,
						position: [240, 0],
						parameters: {
							resource: 'user',
							operation: 'trackEvent',
							userId: 'ada',
							eventName: 'paid',
							options: {},
						},
						credentials: { appcuesApi: { id: credential.id, name: credential.name } },
					},
				],
				connections: { Start: { main: [[{ node: 'Track Event', type: 'main', index: 0 }]] } },
			});
			const res = await n8n.executeWorkflow(workflow.id);
			for (const secret of SECRETS) expect(res.output).not.toContain(secret);
			expect(res.ok).toBe(false);
			expect(JSON.stringify(res.run?.data.resultData.error ?? res.output)).toContain(
				`Appcues answered with a redirect (307) to ${new URL(otherUrl).host}; it was not followed, so no credentials were sent there`,
			);
			expect(received).toEqual([]);
		} finally {
			otherHost.close();
			redirecting.close();
		}
	});

	it("expressions that read only the item's JSON give, for many items, exactly the requests and errors of evaluating each item", async () => {
		// Two Update Profile nodes over the same 12 items: "Batched" with expressions the node
		// evaluates for all items in one go, "Per Item" with the same through $input.item, which
		// n8n evaluates item by item. The requests and outputs must be the same.
		const rows = [
			"{ id: 'u0', plan: 'pro', seats: 5 }",
			"{ id: 'u1', plan: 'say \"hi\" {{ x }}', seats: 1.5 }",
			"{ id: 'u2', plan: null, seats: false }",
			"{ id: 'u3', seats: true }",
			"{ id: 'u4', plan: { tier: 'x' }, seats: [1, 2] }",
			"{ id: 'u5', plan: ['a', 'b'], seats: 'n/a' }",
			"{ id: 'u6', plan: '', seats: 0 }",
			"{ id: 'u7', plan: 'ünï ✓', seats: 1e21 }",
			"{ id: 'u8', plan: 'x'.repeat(300), seats: -3 }",
			"{ id: 'u9', plan: 'free', seats: 2 }",
			"{ id: 'u10', plan: 'trial', seats: 0.1 }",
			"{ id: 'u11', plan: 'pro', seats: 9 }",
		];
		const update = (id: string, name: string, item: string, y: number) => ({
			id,
			name,
			type: 'n8n-nodes-appcues.appcues',
			typeVersion: 1,
			position: [480, y] as [number, number],
			onError: 'continueRegularOutput',
			parameters: {
				resource: 'user',
				operation: 'updateProfile',
				userId: `={{ '${name === 'Batched' ? 'fast' : 'slow'}-' + ${item}.id }}`,
				propertiesInput: 'json',
				propertiesJson: `={ "plan": "{{ ${item}.plan }}", "seats": {{ ${item}.seats }}, "both": {{ JSON.stringify({ p: ${item}.plan, run: $execution.id }) }} }`,
				options: {},
			},
			credentials: { appcuesApi: SANDBOX_CREDENTIAL },
		});
		const workflow = await n8n.importWorkflow({
			name: 'Appcues expressions for many items',
			nodes: [
				{
					id: 'x1',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'x2',
					name: 'Rows',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [240, 0],
					parameters: { jsCode: `return [${rows.join(', ')}].map((json) => ({ json }));` },
				},
				update('x3', 'Batched', '$json', -100),
				update('x4', 'Per Item', '$input.item.json', 100),
			],
			connections: {
				Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
				Rows: {
					main: [
						[
							{ node: 'Batched', type: 'main', index: 0 },
							{ node: 'Per Item', type: 'main', index: 0 },
						],
					],
				},
			},
		});
		fake.reset();
		const res = await n8n.executeWorkflow(workflow.id, { env: { N8N_LOG_LEVEL: 'debug' } });
		expect(res.ok, explain(res)).toBe(true);
		// Both parameters of "Batched" took the one evaluation for all items.
		for (const name of ['userId', 'propertiesJson'])
			expect(res.output).toContain(`parameter "${name}" evaluated once for all 12 items`);
		const sent = (prefix: string) =>
			fake.requests
				.filter((request) => request.rawPath.includes(`/users/${prefix}-`))
				.map((request) => ({
					path: request.rawPath.replace(`/users/${prefix}-`, '/users/'),
					body: request.body,
				}));
		const batched = sent('fast');
		expect(batched).toEqual(sent('slow'));
		// Items 1, 4 and 5 give no JSON (a quote in the text, a list, text where a number goes).
		expect(batched.map((request) => request.path.split('/')[5])).toEqual([
			'u0',
			'u2',
			'u3',
			'u6',
			'u7',
			'u8',
			'u9',
			'u10',
			'u11',
		]);
		expect(batched[0].body).toMatchObject({ plan: 'pro', seats: 5, both: { p: 'pro' } });
		const outputs = (node: string) =>
			nodeOutput(res.run, node).map((json) => JSON.stringify(json).replaceAll('slow-', 'fast-'));
		expect(outputs('Batched')).toEqual(outputs('Per Item'));
		expect(outputs('Batched')).toHaveLength(rows.length);
	});

	it('the digest and compare examples run without a Code node up to their chat message', async () => {
		// Flow events of the demo's published flow, relative to now: this week and the week before.
		const day = 86_400_000;
		const users = fake.state(ACCOUNT.accountId).users;
		const added: string[] = [];
		const track = (name: string, daysAgo: number, count: number) => {
			for (let index = 0; index < count; index++) {
				const userId = `example-user-${index}`;
				const record = users.get(userId) ?? { properties: {}, events: [] };
				record.events.push({
					name,
					timestamp: new Date(Date.now() - daysAgo * day).toISOString(),
					attributes: { flow_id: 'flows-1' },
				});
				users.set(userId, record);
				if (!added.includes(userId)) added.push(userId);
			}
		};
		track('appcues:flow_started', 0.5, 4);
		track('appcues:flow_completed', 0.5, 1);
		track('appcues:flow_started', 1.5, 4);
		track('appcues:flow_completed', 1.5, 4);
		/** The example as it ships, started by hand, its Slack node a Set node with the same text. */
		const runnable = (file: string) => {
			const workflow = JSON.parse(
				readFileSync(join(repoRoot(), 'examples', file), 'utf8'),
			) as WorkflowJson;
			workflow.id = `${String(workflow.id).slice(0, 12)}Test`;
			workflow.nodes = workflow.nodes.map((node) => {
				if (node.type === 'n8n-nodes-base.scheduleTrigger')
					return { ...node, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
				if (node.type !== 'n8n-nodes-base.slack') return node;
				const text = String((node.parameters as { text: string }).text);
				return {
					...node,
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					parameters: {
						mode: 'manual',
						assignments: {
							assignments: [{ id: 'text', name: 'text', type: 'string', value: text }],
						},
						options: {},
					},
				};
			});
			return workflow;
		};
		try {
			fake.reset();
			const digest = await n8n.importWorkflow(runnable('flow-digest.json'));
			const digestRun = await n8n.executeWorkflow(digest.id);
			expect(digestRun.ok, explain(digestRun)).toBe(true);
			const [digestMessage] = nodeOutput(digestRun.run, 'Post to Slack');
			expect(String(digestMessage.text)).toMatch(
				/^\*Flow performance from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}\* \(against the week before\)\n• \*Welcome tour\*: 62\.5% completed, shown 8 times to 4 users, 0 step errors$/,
			);
			expect(calls().map((call) => `${call.method} ${call.path}`)).toEqual([
				`GET ${V2}/flows`,
				`POST ${V2}/analytics/query`,
				`POST ${V2}/analytics/query`,
			]);

			fake.reset();
			const compare = await n8n.importWorkflow(runnable('compare-periods.json'));
			const compareRun = await n8n.executeWorkflow(compare.id);
			expect(compareRun.ok, explain(compareRun)).toBe(true);
			// Completions fell from 4 to 1 (-75 %): the alert is posted.
			expect(nodeOutput(compareRun.run, 'Alert on Slack')).toEqual([
				{
					text: ':warning: Completions of flow flows-1 fell 75% in the last 24 hours: 1 (by 1 users), against 4 the day before.',
				},
			]);
		} finally {
			for (const userId of added) users.delete(userId);
		}
	});

	describe('published trigger workflow in a running n8n', () => {
		let server: RunningN8n;
		const trigger = workflows.trigger;
		const path = triggerWebhookPath(trigger);
		/** The example's second trigger: every event, no filter, nothing after it. */
		const allEventsPath = `${trigger.nodes.find((node) => node.name === 'All Appcues Events')?.webhookId}/webhook`;

		beforeAll(async () => {
			let t0 = Date.now();
			await n8n.publishWorkflow(trigger.id);
			t('publish trigger workflow', t0);
			t0 = Date.now();
			server = await n8n.start();
			await server.waitForWebhook(path);
			await server.waitForWebhook(allEventsPath);
			t(`start n8n until the webhook answers (ready after ${server.startupMs} ms)`, t0);
		});

		afterAll(async () => {
			await n8n?.stop();
		});

		const deliver = async (body: string, headers: Record<string, string>, to = path) => {
			const res = await fetch(`${server.baseUrl}/webhook/${to}`, { method: 'POST', headers, body });
			return { status: res.status, text: await res.text() };
		};

		it('runs once for a signed delivery; refuses tampered, unsigned and stale ones; ignores a replay and a filtered event', async () => {
			const t0 = Date.now();
			fake.reset();
			const event = {
				id: 'evt-nps-1',
				name: 'appcues:nps_score',
				user_id: 'ada',
				attributes: { score: 9, flowId: 'nps-1' },
			};
			const body = JSON.stringify(event);
			const signed = signDelivery(WEBHOOK_SECRET, body);

			expect(await deliver(body, signed)).toEqual({ status: 200, text: '' });
			const [execution] = await n8n.waitForExecutions({ workflowId: trigger.id, count: 1 });
			expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
			const details = await n8n.getExecution(execution.id);
			const out = (node: string) =>
				details?.data?.resultData.runData[node]?.[0]?.data?.main?.[0]?.map((item) => item.json);
			expect(out('Appcues Trigger')).toEqual([event]);
			expect(out('Save NPS Score')).toEqual([{ user_id: 'ada', status: 200 }]);
			expect(calls()).toEqual([
				{
					method: 'PATCH',
					path: `${V2}/users/ada/profile`,
					auth: KEY_AUTH,
					status: 200,
					body: { last_nps_score: 9, last_nps_event: 'evt-nps-1' },
				},
			]);

			// Refused: the signature no longer matches the body, no signature, a timestamp 10 minutes old.
			const tampered = body.replace('"score":9', '"score":10');
			expect(await deliver(tampered, signed)).toEqual({ status: 401, text: 'Unauthorized' });
			expect(await deliver(body, { 'Content-Type': 'application/json' })).toEqual({
				status: 401,
				text: 'Unauthorized',
			});
			const stale = signDelivery(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000) - 600);
			expect(await deliver(body, stale)).toEqual({ status: 401, text: 'Unauthorized' });
			// Acknowledged without a run: the very same delivery again, and an event the trigger does not want.
			expect(await deliver(body, signed)).toEqual({ status: 200, text: '' });
			const other = JSON.stringify({
				id: 'evt-flow-1',
				name: 'appcues:flow_started',
				user_id: 'ada',
			});
			expect(await deliver(other, signDelivery(WEBHOOK_SECRET, other))).toEqual({
				status: 200,
				text: '',
			});

			// Give n8n time to start anything it wrongly accepted, then count again.
			await new Promise((resolve) => setTimeout(resolve, 2000));
			const executions = await n8n.listExecutions({ workflowId: trigger.id });
			expect(executions.map((e) => e.id)).toEqual([execution.id]);
			expect(calls()).toHaveLength(1);
			for (const secret of SECRETS) expect(server.output()).not.toContain(secret);
			t('webhook deliveries', t0);
		});

		it('pins the signature form, refuses a body-only copy with a fresh timestamp, and starts no second run for replayed events or a replayed burst', async () => {
			const t0 = Date.now();
			fake.reset();
			const ok = { status: 200, text: '' };
			const unauthorized = { status: 401, text: 'Unauthorized' };
			const now = () => Math.floor(Date.now() / 1000);
			/** Other signed forms the trigger's Automatic mode also knows. */
			const signIn = (form: 'body' | 'dotBase64', body: string, timestamp = now()) => {
				const message = form === 'body' ? body : `${timestamp}.${body}`;
				const signature = createHmac('sha256', WEBHOOK_SECRET)
					.update(message)
					.digest(form === 'body' ? 'hex' : 'base64');
				return {
					'Content-Type': 'application/json',
					'X-Apc-Timestamp': String(timestamp),
					'X-Apc-Signature': signature,
				};
			};
			const nps = (id: string, user: string) =>
				JSON.stringify({ id, name: 'appcues:nps_score', user_id: user, attributes: { score: 7 } });
			const before = (await n8n.listExecutions({ workflowId: trigger.id })).length;

			// The second and third events of the sequence run once each, then their copies run never.
			const second = nps('evt-seq-2', 'grace');
			const third = nps('evt-seq-3', 'linus');
			const sequence = [second, third].map((body) => ({
				body,
				headers: signDelivery(WEBHOOK_SECRET, body),
			}));
			for (const { body, headers } of sequence) expect(await deliver(body, headers)).toEqual(ok);
			await n8n.waitForExecutions({ workflowId: trigger.id, count: before + 2 });
			for (const { body, headers } of sequence) {
				expect(await deliver(body, headers)).toEqual(ok);
				expect(await deliver(body, signDelivery(WEBHOOK_SECRET, body, now() + 1))).toEqual(ok);
			}

			// The NPS trigger verified timestamp.body in hex first: valid signatures in other forms are refused.
			const fourth = nps('evt-seq-4', 'barbara');
			expect(await deliver(fourth, signIn('body', fourth))).toEqual(unauthorized);
			expect(await deliver(fourth, signIn('dotBase64', fourth))).toEqual(unauthorized);

			// 50 deliveries at once, then the same 50 again one by one.
			const burst = Array.from({ length: 50 }, (_, i) => nps(`evt-burst-${i}`, `burst-${i}`)).map(
				(body) => ({
					body,
					headers: signDelivery(WEBHOOK_SECRET, body),
				}),
			);
			const answers = await Promise.all(burst.map(({ body, headers }) => deliver(body, headers)));
			expect(answers).toEqual(burst.map(() => ok));
			await n8n.waitForExecutions({
				workflowId: trigger.id,
				count: before + 52,
				timeoutMs: 180_000,
			});
			for (const { body, headers } of burst) expect(await deliver(body, headers)).toEqual(ok);

			// The second trigger first sees a body-only signature and pins that form. An event without
			// an id: only the delivery's digest can recognise its copy, sent with a fresh timestamp.
			const anonymous = JSON.stringify({
				name: 'appcues:flow_started',
				user_id: 'ada',
				attributes: { flowId: 'f-1' },
			});
			expect(await deliver(anonymous, signIn('body', anonymous), allEventsPath)).toEqual(ok);
			await n8n.waitForExecutions({ workflowId: trigger.id, count: before + 53 });
			expect(await deliver(anonymous, signIn('body', anonymous, now() + 2), allEventsPath)).toEqual(
				ok,
			);
			const other = JSON.stringify({ id: 'evt-other-form', name: 'appcues:flow_started' });
			expect(await deliver(other, signDelivery(WEBHOOK_SECRET, other), allEventsPath)).toEqual(
				unauthorized,
			);

			// Give n8n time to start anything it wrongly accepted, then count again.
			await new Promise((resolve) => setTimeout(resolve, 2000));
			const started = (await n8n.listExecutions({ workflowId: trigger.id })).length - before;
			console.log(
				`n8n ${version}: executions started by the replay test: ${started} (expected 53: 2 + 50 + 1; replays of the burst that ran: ${started - 53} of 50)`,
			);
			expect(started).toBe(53);
			expect(calls().filter((call) => call.method === 'PATCH')).toHaveLength(52);
			for (const secret of SECRETS) expect(server.output()).not.toContain(secret);
			t('replays, other forms and a burst of 50', t0);
		});

		it("answers with an error a delivery whose run n8n cannot queue, and runs Appcues' retry exactly once", async () => {
			const t0 = Date.now();
			fake.reset();
			const ok = { status: 200, text: '' };
			const body = JSON.stringify({
				id: 'evt-unqueued',
				name: 'appcues:nps_score',
				user_id: 'katherine',
				attributes: { score: 8 },
			});
			const filtered = JSON.stringify({ id: 'evt-unqueued-flow', name: 'appcues:flow_started' });
			const before = (await n8n.listExecutions({ workflowId: trigger.id })).length;
			// As for a workflow's first delivery: no static data yet (n8n 2.41 saves it then).
			await n8n.writeDb('UPDATE workflow_entity SET staticData = NULL WHERE id = ?', [trigger.id]);
			await n8n.refuseNewRuns(true);
			try {
				const refused = await deliver(body, signDelivery(WEBHOOK_SECRET, body));
				expect(refused.status).toBeGreaterThanOrEqual(500);
				expect(JSON.stringify((await n8n.workflowStaticData(trigger.id)) ?? {})).not.toContain(
					'evt-unqueued"',
				);
				// A delivery that starts no run is saved with the trigger's memory meanwhile.
				expect(await deliver(filtered, signDelivery(WEBHOOK_SECRET, filtered))).toEqual(ok);
			} finally {
				await n8n.refuseNewRuns(false);
			}
			expect(JSON.stringify((await n8n.workflowStaticData(trigger.id)) ?? {})).not.toContain(
				'evt-unqueued"',
			);
			// Appcues sends the delivery again (a fresh timestamp), and once more.
			expect(await deliver(body, signDelivery(WEBHOOK_SECRET, body))).toEqual(ok);
			const [execution] = await n8n.waitForExecutions({
				workflowId: trigger.id,
				count: before + 1,
			});
			expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
			expect(await deliver(body, signDelivery(WEBHOOK_SECRET, body))).toEqual(ok);
			await new Promise((resolve) => setTimeout(resolve, 2000));
			const started = (await n8n.listExecutions({ workflowId: trigger.id })).length - before;
			console.log(
				`n8n ${version}: runs started by a refused delivery and its two retries: ${started}`,
			);
			expect(started).toBe(1);
			expect(calls()).toEqual([
				expect.objectContaining({ method: 'PATCH', path: `${V2}/users/katherine/profile` }),
			]);
			t('a delivery n8n could not queue, then its retries', t0);
		});

		it('runs the retry of a refused delivery when another delivery was saved while n8n was still queueing the first', async () => {
			const t0 = Date.now();
			fake.reset();
			const ok = { status: 200, text: '' };
			const body = JSON.stringify({
				id: 'evt-in-flight',
				name: 'appcues:nps_score',
				user_id: 'dorothy',
				attributes: { score: 10 },
			});
			const filtered = JSON.stringify({ id: 'evt-in-flight-flow', name: 'appcues:flow_started' });
			const before = (await n8n.listExecutions({ workflowId: trigger.id })).length;
			await n8n.refuseNewRuns(true, { slowly: true });
			try {
				let refusedAt = 0;
				const refusing = deliver(body, signDelivery(WEBHOOK_SECRET, body)).then((answer) => {
					refusedAt = Date.now();
					return answer;
				});
				// While n8n is still trying to store the run, a delivery that starts none is handled
				// and its static data saved.
				await new Promise((resolve) => setTimeout(resolve, 400));
				const sentAt = Date.now();
				expect(await deliver(filtered, signDelivery(WEBHOOK_SECRET, filtered))).toEqual(ok);
				const otherAnsweredAt = Date.now();
				const refused = await refusing;
				console.log(
					`n8n ${version}: the refused delivery was answered ${refusedAt - sentAt} ms after ` +
						`the other was sent, ${refusedAt - otherAnsweredAt} ms after it was answered`,
				);
				// The other delivery was answered, its static data saved, while n8n was still storing
				// the refused run (which takes seconds: see refuseNewRuns).
				expect(refusedAt).toBeGreaterThan(otherAnsweredAt);
				expect(refusedAt - sentAt).toBeGreaterThan(500);
				expect(refused.status).toBeGreaterThanOrEqual(500);
			} finally {
				await n8n.refuseNewRuns(false);
			}
			expect(JSON.stringify((await n8n.workflowStaticData(trigger.id)) ?? {})).not.toContain(
				'evt-in-flight"',
			);
			expect(await deliver(body, signDelivery(WEBHOOK_SECRET, body))).toEqual(ok);
			await n8n.waitForExecutions({ workflowId: trigger.id, count: before + 1 });
			expect(await deliver(body, signDelivery(WEBHOOK_SECRET, body))).toEqual(ok);
			await new Promise((resolve) => setTimeout(resolve, 2000));
			expect((await n8n.listExecutions({ workflowId: trigger.id })).length - before).toBe(1);
			t('a refused delivery with another one saved meanwhile, then its retries', t0);
		});

		it("keeps refusing a replayed body-only delivery with 10,000 more remembered, answers 429 when full, and checks the events' own time", async () => {
			const t0 = Date.now();
			fake.reset();
			const ok = { status: 200, text: '' };
			const bodyOnly = (body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
				'Content-Type': 'application/json',
				'X-Apc-Timestamp': String(timestamp),
				'X-Apc-Signature': createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex'),
			});
			const captured = JSON.stringify({ name: 'appcues:flow_started', user_id: 'captured' });
			const before = (await n8n.listExecutions({ workflowId: trigger.id })).length;
			expect(await deliver(captured, bodyOnly(captured), allEventsPath)).toEqual(ok);
			await n8n.waitForExecutions({ workflowId: trigger.id, count: before + 1 });

			// What 10,000 further body-only deliveries leave in static data: digests expiring later.
			const original = (await n8n.workflowStaticData(trigger.id)) ?? {};
			const key = 'node:All Appcues Events';
			const memory = (original[key] ?? {}) as { seenEventIds?: unknown[] };
			const later = Date.now() + 25 * 3_600_000;
			const filled = {
				...original,
				[key]: {
					...memory,
					seenEventIds: [
						...(memory.seenEventIds ?? []),
						...Array.from({ length: 10_000 }, (_, i) => [
							`body:${String(i).padStart(32, '0')}`,
							later,
						]),
					],
				},
			};
			await n8n.setWorkflowStaticData(trigger.id, filled);
			try {
				// The captured copy, with a fresh timestamp: still no run.
				expect(
					await deliver(
						captured,
						bodyOnly(captured, Math.floor(Date.now() / 1000) + 3),
						allEventsPath,
					),
				).toEqual(ok);
				// A new body-only delivery finds no place: refused, clearly, so Appcues tries later.
				const fresh = JSON.stringify({ name: 'appcues:flow_started', user_id: 'fresh' });
				const full = await deliver(fresh, bodyOnly(fresh), allEventsPath);
				expect(full.status).toBe(429);
				expect(full.text).toMatch(/^Too Many Requests: 10000 deliveries signed over the body only/);
			} finally {
				await n8n.setWorkflowStaticData(trigger.id, original);
			}
			// An event stamped an hour ago, signed over the body, with a fresh timestamp header: 401.
			const old = JSON.stringify({
				name: 'appcues:flow_started',
				user_id: 'late',
				timestamp: Math.floor(Date.now() / 1000) - 3_600,
			});
			expect(await deliver(old, bodyOnly(old), allEventsPath)).toEqual({
				status: 401,
				text: 'Unauthorized',
			});
			await new Promise((resolve) => setTimeout(resolve, 2000));
			expect((await n8n.listExecutions({ workflowId: trigger.id })).length - before).toBe(1);
			t('body-only replays with a full memory', t0);
		});

		/** The editor's REST API, as the owner (set up on first use, as on a first visit). */
		let cookie: string | undefined;
		const rest = async <T>(path: string, body: unknown): Promise<T> => {
			const headers = { 'Content-Type': 'application/json', 'browser-id': 'appcues-e2e' };
			if (!cookie) {
				const setup = await fetch(`${server.baseUrl}/rest/owner/setup`, {
					method: 'POST',
					headers,
					body: JSON.stringify({
						email: 'owner@example.com',
						firstName: 'E2E',
						lastName: 'Owner',
						password: 'E2e-Password-123',
					}),
				});
				expect(setup.status, await setup.clone().text()).toBe(200);
				cookie = setup.headers
					.getSetCookie()
					.map((c) => c.split(';')[0])
					.join('; ');
			}
			const res = await fetch(`${server.baseUrl}/rest/${path}`, {
				method: 'POST',
				headers: { ...headers, cookie },
				body: JSON.stringify(body),
			});
			const text = await res.text();
			expect(res.status, text).toBe(200);
			return (JSON.parse(text) as { data: T }).data;
		};

		it("tests the credential as the editor's Test button does (REST API), telling a wrong secret apart", async () => {
			fake.reset();
			const test = (credential: CredentialJson) =>
				rest<{ status: string; message: string }>('credentials/test', {
					credentials: { ...credential, type: 'appcuesApi' },
				});
			const [good, wrong] = appcuesCredentials(fake.url, ACCOUNT, fake.toolsUrl);
			const otherAccount = { ...good, data: { ...good.data, accountId: '99999' } };
			expect(await test(good)).toEqual({ status: 'OK', message: 'Connection successful!' });
			// n8n 2.8.x does not apply a credential's `test.rules` to HTTP errors: the NodeApiError
			// its request helper throws has no `cause.response`, so credentials-tester.service.js
			// falls back to the error's generic message. n8n 2.41.1 shows the credential's messages.
			const generic = version === '2.8.4';
			expect(await test(wrong)).toEqual({
				status: 'Error',
				message: generic
					? 'Authorization failed - please check your credentials'
					: expect.stringContaining('Appcues rejected the API key and secret (401)'),
			});
			expect(await test(otherAccount)).toEqual({
				status: 'Error',
				message: generic
					? 'Forbidden - perhaps check your credentials?'
					: expect.stringContaining('do not give access to this Account ID (403)'),
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

		it('the credential test refuses a plain-http Base URL without contacting it, follows no redirect, and refuses a web page', async () => {
			fake.reset();
			const test = (credential: CredentialJson) =>
				rest<{ status: string; message: string }>('credentials/test', {
					credentials: { ...credential, type: 'appcuesApi' },
				});
			const [good] = appcuesCredentials(fake.url, ACCOUNT, fake.toolsUrl);
			// Plain http to a host that is not loopback: refused before any request. 0.0.0.0 is not a
			// loopback name, yet reaches this machine: the listener would record a request if one were sent.
			const received: IncomingHttpHeaders[] = [];
			const listener = createServer((req, res) => {
				received.push(req.headers);
				res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
			});
			await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
			const port = (listener.address() as AddressInfo).port;
			try {
				const plainHttp = { ...good, data: { ...good.data, baseUrl: `http://0.0.0.0:${port}` } };
				expect(await test(plainHttp)).toEqual({
					status: 'Error',
					message:
						'The Base URL must use https: plain http would send the API secret unencrypted, so it is allowed only for localhost, 127.0.0.0/8 and [::1]. It must not have a query (?…), a fragment (#…) or a user name and password in it.',
				});
				// A redirect to another host: not followed, so that host sees nothing.
				const redirecting = createServer((req, res) =>
					res.writeHead(307, { Location: `http://127.0.0.1:${port}${req.url}` }).end(),
				);
				await new Promise<void>((done) => redirecting.listen(0, '127.0.0.1', done));
				try {
					const redirected = await test({
						...good,
						data: {
							...good.data,
							baseUrl: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`,
						},
					});
					expect(redirected.status).toBe('Error');
					// 2.8.x shows its own text for an error status (see the test above); 2.41 the credential's.
					if (version !== '2.8.4')
						expect(redirected.message).toMatch(
							/^The server answered with a redirect \(307\), which is not followed/,
						);
				} finally {
					redirecting.close();
				}
				// A web page at the Base URL (a website, a login portal) answers 200, but is not the API.
				const website = createServer((req, res) =>
					res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>Sign in</html>'),
				);
				await new Promise<void>((done) => website.listen(0, '127.0.0.1', done));
				try {
					const page = await test({
						...good,
						data: {
							...good.data,
							baseUrl: `http://127.0.0.1:${(website.address() as AddressInfo).port}`,
						},
					});
					expect(page).toEqual({
						status: 'Error',
						message: expect.stringMatching(/^The Base URL answered with a web page/),
					});
				} finally {
					website.close();
				}
				expect(received).toEqual([]);
				expect(await test(good)).toEqual({ status: 'OK', message: 'Connection successful!' });
			} finally {
				listener.close();
			}
		});

		it('fills the "From List" pickers of the editor (listSearch: segments with a filter, experiences of a type, tags)', async () => {
			fake.reset();
			const search = (methodName: string, parameters: Record<string, unknown>, filter?: string) =>
				rest<{ results: Array<{ name: string; value: string }> }>(
					'dynamic-node-parameters/resource-locator-results',
					{
						methodName,
						...(filter !== undefined ? { filter } : {}),
						nodeTypeAndVersion: { name: 'n8n-nodes-appcues.appcues', version: 1 },
						currentNodeParameters: parameters,
						path: `parameters.${Object.keys(parameters).at(-1)}`,
						credentials: {
							appcuesApi: { id: SANDBOX_CREDENTIAL.id, name: SANDBOX_CREDENTIAL.name },
						},
					},
				);
			const locator = { __rl: true, mode: 'list', value: '' };
			expect(
				(
					await search(
						'searchSegments',
						{ resource: 'segment', operation: 'get', segmentId: locator },
						'trial',
					)
				).results,
			).toEqual([{ name: 'Trial Users', value: 'seg-trial' }]);
			const pins = await search('searchExperiences', {
				resource: 'experience',
				operation: 'get',
				experienceType: 'pins',
				experienceId: locator,
			});
			expect(pins.results.map((r) => r.value)).toEqual(['pins-1', 'pins-2']);
			const tags = await search('searchTags', {
				resource: 'tag',
				operation: 'get',
				tagId: locator,
			});
			// Sorted by name: billing, onboarding, release notes.
			expect(tags.results.map((r) => r.value)).toEqual([
				'tag-billing',
				'tag-onboarding',
				'tag-release',
			]);
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

/**
 * Smoke test of the e2e library against both real n8n runtimes:
 *   - import + `n8n execute` of workflows made of built-in nodes (success and failure),
 *   - a tiny community package (generated here, packed with `npm pack`, installed into
 *     <userFolder>/.n8n/nodes/node_modules) with an imported credential,
 *   - publish + `n8n start` + readiness + a production webhook call, executions read from the DB.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	createN8nSandbox,
	disposeAll,
	failureReport,
	liveProcessCount,
	nodeOutput,
	packPackage,
	type ExecuteResult,
	type N8nSandbox,
	type WorkflowJson,
} from './lib/n8n';
import { selectedVersions } from './lib/versions';

const smokeWorkflow: WorkflowJson = {
	id: 'e2eSmokeManual01',
	name: 'E2E smoke: manual -> set -> noop',
	nodes: [
		{
			id: '5d1f6a52-0000-4000-8000-000000000001',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: '5d1f6a52-0000-4000-8000-000000000002',
			name: 'Set fields',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: {
				assignments: {
					assignments: [
						{ id: 'a1', name: 'greeting', value: 'hello from e2e', type: 'string' },
						{ id: 'a2', name: 'sum', value: '={{ 40 + 2 }}', type: 'number' },
					],
				},
				options: {},
			},
		},
		{
			id: '5d1f6a52-0000-4000-8000-000000000003',
			name: 'Done',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [440, 0],
			parameters: {},
		},
	],
	connections: {
		Start: { main: [[{ node: 'Set fields', type: 'main', index: 0 }]] },
		'Set fields': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
};

const failingWorkflow: WorkflowJson = {
	id: 'e2eSmokeFailing1',
	name: 'E2E smoke: manual -> stop and error',
	nodes: [
		{
			id: '5d1f6a52-0000-4000-8000-000000000011',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: '5d1f6a52-0000-4000-8000-000000000012',
			name: 'Fail',
			type: 'n8n-nodes-base.stopAndError',
			typeVersion: 1,
			position: [220, 0],
			parameters: { errorMessage: 'e2e smoke failure on purpose' },
		},
	],
	connections: { Start: { main: [[{ node: 'Fail', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

// A minimal community package: one credential type and one programmatic node (plain CommonJS).
const FIXTURE_PACKAGE_JSON = {
	name: 'n8n-nodes-e2e-fixture',
	version: '0.0.1',
	license: 'MIT',
	keywords: ['n8n-community-node-package'],
	files: ['dist'],
	n8n: {
		n8nNodesApiVersion: 1,
		credentials: ['dist/credentials/E2eFixtureApi.credentials.js'],
		nodes: ['dist/nodes/E2eFixture/E2eFixture.node.js'],
	},
	peerDependencies: { 'n8n-workflow': '*' },
};
const FIXTURE_CREDENTIAL_JS = `'use strict';
class E2eFixtureApi {
	constructor() {
		this.name = 'e2eFixtureApi';
		this.displayName = 'E2E Fixture API';
		this.properties = [
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
		];
	}
}
exports.E2eFixtureApi = E2eFixtureApi;
`;
const FIXTURE_NODE_JS = `'use strict';
class E2eFixture {
	constructor() {
		this.description = {
			displayName: 'E2E Fixture',
			name: 'e2eFixture',
			group: ['transform'],
			version: 1,
			description: 'Tags items (e2e fixture)',
			defaults: { name: 'E2E Fixture' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'e2eFixtureApi', required: true }],
			properties: [{ displayName: 'Tag', name: 'tag', type: 'string', default: 'fixture' }],
		};
	}
	async execute() {
		const creds = await this.getCredentials('e2eFixtureApi');
		const items = this.getInputData();
		return [items.map((item, i) => ({
			json: { ...item.json, tag: this.getNodeParameter('tag', i), tokenLength: String(creds.token).length },
			pairedItem: { item: i },
		}))];
	}
}
exports.E2eFixture = E2eFixture;
`;

let fixtureDir: string;
let fixtureTgz: string;

const FIXTURE_CREDENTIAL = {
	id: 'e2eFixtureCred01',
	name: 'E2E fixture credential',
	type: 'e2eFixtureApi',
	data: { token: 'secret-token-123' },
};
const fixtureNode = (name: string, x: number) => ({
	id: `5d1f6a52-0000-4000-8000-0000000000${x}`,
	name,
	type: 'n8n-nodes-e2e-fixture.e2eFixture',
	typeVersion: 1,
	position: [x * 10, 0] as [number, number],
	parameters: { tag: 'tagged-by-fixture' },
	credentials: { e2eFixtureApi: { id: FIXTURE_CREDENTIAL.id, name: FIXTURE_CREDENTIAL.name } },
});

const packageWorkflow: WorkflowJson = {
	id: 'e2eSmokePackage1',
	name: 'E2E smoke: manual -> community package node',
	nodes: [
		{
			id: '5d1f6a52-0000-4000-8000-000000000021',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		fixtureNode('Fixture', 22),
	],
	connections: { Start: { main: [[{ node: 'Fixture', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

const webhookWorkflow: WorkflowJson = {
	id: 'e2eSmokeWebhook1',
	name: 'E2E smoke: webhook -> community package node',
	nodes: [
		{
			id: '5d1f6a52-0000-4000-8000-000000000031',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '0c1d2e3f-4a5b-4c6d-8e7f-e2e5e0000031',
			parameters: {
				httpMethod: 'POST',
				path: 'e2e-smoke',
				responseMode: 'onReceived',
				options: {},
			},
		},
		fixtureNode('Fixture', 32),
	],
	connections: { Webhook: { main: [[{ node: 'Fixture', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

beforeAll(async () => {
	fixtureDir = await mkdtemp(join(tmpdir(), 'n8n-e2e-fixture-'));
	const pkg = join(fixtureDir, 'n8n-nodes-e2e-fixture');
	await mkdir(join(pkg, 'dist', 'credentials'), { recursive: true });
	await mkdir(join(pkg, 'dist', 'nodes', 'E2eFixture'), { recursive: true });
	await writeFile(join(pkg, 'package.json'), JSON.stringify(FIXTURE_PACKAGE_JSON, null, 2));
	await writeFile(
		join(pkg, 'dist', 'credentials', 'E2eFixtureApi.credentials.js'),
		FIXTURE_CREDENTIAL_JS,
	);
	await writeFile(join(pkg, 'dist', 'nodes', 'E2eFixture', 'E2eFixture.node.js'), FIXTURE_NODE_JS);
	fixtureTgz = await packPackage(pkg, fixtureDir);
});

afterAll(async () => {
	await disposeAll();
	if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
});

/**
 * How `n8n execute` ended once it had printed its run: with `code`, or with n8n's own teardown
 * crash (see ExecuteResult.teardownCrash, reported as a warning). Our timeout, a kill and any
 * other signal or code fail here, and the message says which, after how long.
 */
function expectExitAfterRun(res: ExecuteResult, code: number): void {
	if (res.teardownCrash) return;
	expect(res.code, failureReport(res)).toBe(code);
}

describe.each(selectedVersions())('n8n %s', (version) => {
	let n8n: N8nSandbox;

	beforeAll(async () => {
		n8n = await createN8nSandbox(version);
	});

	afterAll(async () => {
		await n8n?.dispose();
	});

	it('reports its version', async () => {
		const res = await n8n.cliOk(['--version']);
		expect(res.stdout.trim().split('\n').at(-1)).toBe(version);
	});

	it('imports and executes a workflow of built-in nodes with `n8n execute --id`', async () => {
		await n8n.importWorkflows([smokeWorkflow, failingWorkflow]);

		const res = await n8n.executeWorkflow(smokeWorkflow.id!);
		expect(res.ok, failureReport(res)).toBe(true);
		expectExitAfterRun(res, 0);
		expect(res.run?.mode).toBe('cli');
		expect(res.run?.data.resultData.lastNodeExecuted).toBe('Done');
		expect(nodeOutput(res.run, 'Done')).toEqual([{ greeting: 'hello from e2e', sum: 42 }]);

		const executions = await n8n.listExecutions({ workflowId: smokeWorkflow.id });
		expect(executions).toHaveLength(1);
		expect(executions[0]).toMatchObject({ mode: 'cli', status: 'success', finished: true });

		const details = await n8n.getExecution(executions[0].id);
		const stored = details?.data?.resultData.runData.Done?.[0]?.data?.main?.[0]?.[0]?.json;
		expect(stored).toEqual({ greeting: 'hello from e2e', sum: 42 });
	});

	it('reports a failing workflow with exit code 1 and the error in the run JSON', async () => {
		const res = await n8n.executeWorkflow(failingWorkflow.id!);
		expect(res.ok).toBe(false);
		expect(res.run?.status, failureReport(res)).toBe('error');
		expectExitAfterRun(res, 1);
		expect(JSON.stringify(res.run?.data.resultData.error)).toContain(
			'e2e smoke failure on purpose',
		);
		const [row] = await n8n.listExecutions({ workflowId: failingWorkflow.id });
		expect(row).toMatchObject({ mode: 'cli', status: 'error' });
	});

	it('loads a community package from .n8n/nodes/node_modules and runs its node with a credential', async () => {
		const dest = await n8n.installPackageTarball(fixtureTgz);
		expect(dest).toBe(
			join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-e2e-fixture'),
		);
		await n8n.importCredentials(FIXTURE_CREDENTIAL);
		await n8n.importWorkflows([packageWorkflow, webhookWorkflow]);

		const res = await n8n.executeWorkflow(packageWorkflow.id!);
		expect(res.ok, failureReport(res)).toBe(true);
		expectExitAfterRun(res, 0);
		expect(nodeOutput(res.run, 'Fixture')).toEqual([{ tag: 'tagged-by-fixture', tokenLength: 16 }]);
	});

	it('publishes a webhook workflow, starts, answers readiness and the webhook, and stops its process group', async () => {
		await n8n.publishWorkflow(webhookWorkflow.id!);
		const server = await n8n.start();
		console.log(`n8n ${version}: ready ${server.startupMs} ms after spawn`);
		const ready = await fetch(`${server.baseUrl}/healthz/readiness`);
		expect(ready.status).toBe(200);
		expect(await ready.json()).toEqual({ status: 'ok' });

		await server.waitForWebhook('e2e-smoke');
		const hook = await fetch(`${server.baseUrl}/webhook/e2e-smoke`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ hello: 'webhook' }),
		});
		expect(hook.status, await hook.text()).toBe(200);
		const [execution] = await n8n.waitForExecutions({ workflowId: webhookWorkflow.id, count: 1 });
		expect(execution).toMatchObject({ mode: 'webhook', status: 'success' });
		const details = await n8n.getExecution(execution.id);
		const out = details?.data?.resultData.runData.Fixture?.[0]?.data?.main?.[0]?.[0]?.json;
		expect(out).toMatchObject({
			body: { hello: 'webhook' },
			tag: 'tagged-by-fixture',
			tokenLength: 16,
		});

		await server.stop();
		expect(() => process.kill(-server.pid, 0)).toThrow();
		expect(n8n.running).toBeUndefined();
		expect(liveProcessCount()).toBe(0);
	});
});

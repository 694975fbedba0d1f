/**
 * Smoke test of the e2e library against both real n8n runtimes: import + `n8n execute` of a
 * workflow made of built-in nodes only, execution listing from the DB, and `n8n start` readiness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	N8N_VERSIONS,
	createN8nSandbox,
	disposeAll,
	liveProcessCount,
	nodeOutput,
	type N8nSandbox,
	type WorkflowJson,
} from './lib/n8n';

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

afterAll(disposeAll);

describe.each(N8N_VERSIONS)('n8n %s', (version) => {
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
		expect(res.code, res.output).toBe(0);
		expect(res.ok).toBe(true);
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
		expect(res.code).toBe(1);
		expect(res.ok).toBe(false);
		expect(res.run?.status).toBe('error');
		expect(JSON.stringify(res.run?.data.resultData.error)).toContain('e2e smoke failure on purpose');
		const [row] = await n8n.listExecutions({ workflowId: failingWorkflow.id });
		expect(row).toMatchObject({ mode: 'cli', status: 'error' });
	});

	it('starts, answers /healthz/readiness, and stops its whole process group', async () => {
		const server = await n8n.start();
		const res = await fetch(`${server.baseUrl}/healthz/readiness`);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: 'ok' });
		console.log(`n8n ${version}: ready ${server.startupMs} ms after spawn`);

		await server.stop();
		expect(() => process.kill(-server.pid, 0)).toThrow();
		expect(n8n.running).toBeUndefined();
		expect(liveProcessCount()).toBe(0);
	});
});

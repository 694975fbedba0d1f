/**
 * The trigger inside n8n-core's real WebhookContext: parameter defaults, the optional credential,
 * and static data behave as they do in n8n, not as a hand-rolled fake assumes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'crypto';
import { EventEmitter } from 'events';
import { WebhookContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeParameters,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { describe, expect, it, vi, afterEach, beforeEach } from 'vitest';

import { AppcuesApi } from '../../../credentials/AppcuesApi.credentials';
import { NodeTypes } from '../../support/node-types';
import { TestCredentialsHelper } from '../../support/run-node';
import { AppcuesTrigger } from '../../../nodes/AppcuesTrigger/AppcuesTrigger.node';

// n8n-core writes an instance key below N8N_USER_FOLDER on first use.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'appcues-trigger-'));

const NODE_TYPE = 'n8n-nodes-appcues.appcuesTrigger';
const SECRET = 'apc_core_secret_93kd';

interface Delivery {
	body: string;
	headers?: Record<string, string>;
	parameters?: INodeParameters;
	/** undefined: no credential selected on the node. */
	secret?: string;
	staticData?: IDataObject;
	/** Keys the trigger's in-process memory; by default every delivery is a workflow of its own. */
	workflowId?: string;
}

let workflowCount = 0;

function triggerNode(delivery: Pick<Delivery, 'parameters' | 'secret'> = {}): INode {
	return {
		id: 'trigger',
		name: 'Appcues Trigger',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: delivery.parameters ?? {},
		...(delivery.secret !== undefined
			? { credentials: { appcuesApi: { id: 'cred-1', name: 'Appcues' } } }
			: {}),
	};
}

function newWorkflow(
	id: string,
	node: INode,
	trigger: AppcuesTrigger,
	staticData: IDataObject | undefined,
) {
	return new Workflow({
		id,
		name: 'Trigger test',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: trigger }),
		staticData,
		settings: { executionOrder: 'v1' },
	});
}

async function deliver(delivery: Delivery) {
	const trigger = new AppcuesTrigger();
	const node = triggerNode(delivery);
	const workflowId = delivery.workflowId ?? `wf-trigger-${++workflowCount}`;
	const workflow = newWorkflow(workflowId, node, trigger, delivery.staticData);
	// An EventEmitter, as Express' response is: the trigger listens for the answer n8n sends.
	const res = Object.assign(new EventEmitter(), {
		statusCode: 200,
		status: vi.fn(),
		setHeader: vi.fn(),
		send: vi.fn(),
		end: vi.fn(),
	});
	res.status.mockReturnValue(res);
	res.send.mockReturnValue(res);
	const headers = { 'content-type': 'application/json', ...delivery.headers };
	const rawBody = Buffer.from(delivery.body);
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(new AppcuesApi(), {
			apiKey: 'k',
			apiSecret: 's',
			accountId: '1',
			region: 'us',
			webhookSecret: delivery.secret ?? '',
		}),
		// As n8n 2.8's body parser leaves it: rawBody holds the bytes, body the parsed JSON.
		httpRequest: { headers, rawBody, body: JSON.parse(delivery.body || '{}') },
		httpResponse: res,
		variables: {},
		executionId: 'exec-1',
		restApiUrl: '',
		instanceBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		formWaitingBaseUrl: '',
		currentNodeExecutionIndex: 0,
	} as unknown as IWorkflowExecuteAdditionalData;
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: 'webhook',
		webhookDescription: trigger.description.webhooks![0],
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	} as IWebhookData;
	const context = new WebhookContext(
		workflow,
		workflow.getNode(node.name)!,
		additionalData,
		'webhook',
		webhookData,
		[],
		null,
	);
	const result = await trigger.webhook.call(context);
	return { result, res, workflow, trigger, node };
}

function signed(body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
	return {
		'x-apc-timestamp': timestamp,
		'x-apc-signature': createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex'),
	};
}

const event = { id: 'evt-core-1', name: 'appcues:flow_completed', attributes: { flowId: 'f-1' } };
const body = JSON.stringify(event);

type N8nVersion = '2.8.4' | '2.41.1';

const npsEvent = (id: string) => JSON.stringify({ id, name: 'appcues:nps_score', score: 9 });

/** The workflow row: static data as n8n stores it, JSON. */
interface Row {
	staticData?: string;
}

/**
 * What n8n does with static data around webhook(), as read in LiveWebhooks.executeWebhook and
 * WebhookHelpers.executeWebhook of 2.8.4 and 2.41.1 (e2e/README.md has the lines): it loads the
 * row's static data into a Workflow and calls webhook(). An answer the node sent itself saves the
 * static data at once, if __dataChanged. A run is started first (WorkflowRunner.run) and the
 * deferred "onReceived" answer saves afterwards, then sends 200; in 2.41 run() first builds a
 * second Workflow over the same static data object (establishContextForPersistence), which resets
 * __dataChanged. When run() throws (the run cannot be queued), n8n answers 500 and saves nothing;
 * `saveOnFailure` models an n8n that saved anyway.
 */
async function receiveUntilAnswered(
	row: Row,
	version: N8nVersion,
	workflowId: string,
	delivery: Delivery,
) {
	const loaded =
		row.staticData === undefined ? undefined : (JSON.parse(row.staticData) as IDataObject);
	const { result, workflow, trigger, node, res } = await deliver({
		...delivery,
		staticData: loaded,
		workflowId,
	});
	const save = () => {
		if (workflow.staticData.__dataChanged === true)
			row.staticData = JSON.stringify(workflow.staticData);
	};
	if (!result.workflowData) {
		save();
		return { started: 0, answer: () => {} };
	}
	if (version === '2.41.1') newWorkflow(workflowId, node, trigger, loaded);
	return {
		started: result.workflowData[0].length,
		answer: (queued = true, { saveOnFailure = false } = {}) => {
			if (queued || saveOnFailure) save();
			res.statusCode = queued ? 200 : 500;
			res.emit('finish');
		},
	};
}

/** A delivery n8n answers at once: the run is queued, or (queued false) it could not be. */
async function receive(
	row: Row,
	version: N8nVersion,
	workflowId: string,
	delivery: Delivery,
): Promise<number> {
	const { started, answer } = await receiveUntilAnswered(row, version, workflowId, delivery);
	answer();
	return started;
}

describe('AppcuesTrigger in n8n-core', () => {
	it('accepts a signed delivery with every parameter at its default', async () => {
		const { result, res } = await deliver({ body, secret: SECRET, headers: signed(body) });
		expect(result.workflowData?.[0].map((item) => item.json)).toEqual([event]);
		expect(res.status).not.toHaveBeenCalled();
	});

	it('rejects an unsigned delivery when the credential holds a secret', async () => {
		const { result, res } = await deliver({ body, secret: SECRET });
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.status).toHaveBeenCalledWith(401);
	});

	it('runs without a credential selected (the credential is optional)', async () => {
		const { result } = await deliver({ body });
		expect(result.workflowData?.[0]).toHaveLength(1);
	});

	it('stores seen ids so that n8n saves them, and drops the retry', async () => {
		const first = await deliver({ body });
		expect(first.workflow.staticData.__dataChanged).toBe(true);
		const saved = JSON.parse(JSON.stringify(first.workflow.staticData)) as IDataObject;
		const retry = await deliver({ body, staticData: saved });
		expect(retry.result).toEqual({ noWebhookResponse: true });
		expect(retry.res.status).toHaveBeenCalledWith(200);
	});

	it('reads the options collection and filters', async () => {
		const { result, res } = await deliver({
			body,
			parameters: { events: ['appcues:flow_started'], options: { includeHeaders: true } },
		});
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.status).toHaveBeenCalledWith(200);
	});

	describe('static data as n8n saves it', () => {
		const storedKeys = (row: Row) =>
			((JSON.parse(row.staticData ?? '{}') as IDataObject)['node:Appcues Trigger'] as IDataObject)
				.seenEventIds as string[][];

		it.each(['2.8.4', '2.41.1'] as const)(
			'n8n %s: deliveries X, Y, Y, Y start two runs',
			async (version) => {
				const row: Row = {};
				const workflowId = `wf-sequence-${version}`;
				const send = (body: string, id = workflowId) =>
					receive(row, version, id, { body, secret: SECRET, headers: signed(body) });
				const [x, y] = [npsEvent('evt-x'), npsEvent('evt-y')];
				let started = (await send(x)) + (await send(y));
				// n8n 2.41 saved the first change only (the upstream bug); 2.8.4 saved both.
				const keys = () => storedKeys(row).map(([key]) => key);
				expect(keys()).toEqual(
					version === '2.41.1' ? ['id:"evt-x"'] : ['id:"evt-x"', 'id:"evt-y"'],
				);
				started += (await send(y)) + (await send(y));
				expect(started).toBe(2);
				// A copy starts no run, and n8n saves what such a delivery writes: static data catches up.
				expect(keys()).toEqual(['id:"evt-x"', 'id:"evt-y"']);
				expect(await send(y, `${workflowId}-restarted`)).toBe(0);
			},
		);

		it.each(['2.8.4', '2.41.1'] as const)(
			'n8n %s: 50 deliveries at once, replayed one by one, start no second run',
			async (version) => {
				const row: Row = {};
				const workflowId = `wf-burst-${version}`;
				const bodies = Array.from({ length: 50 }, (_, i) => npsEvent(`evt-burst-${i}`));
				const started = await Promise.all(
					bodies.map((body) =>
						receive(row, version, workflowId, { body, secret: SECRET, headers: signed(body) }),
					),
				);
				expect(started.reduce((a, b) => a + b)).toBe(50);
				let replayed = 0;
				for (const body of bodies) {
					replayed += await receive(row, version, workflowId, {
						body,
						secret: SECRET,
						headers: signed(body),
					});
				}
				expect(replayed).toBe(0);
			},
		);

		it('keeps the pinned form in static data, never the secret', async () => {
			const row: Row = {};
			await receive(row, '2.8.4', 'wf-pin-core', { body, secret: SECRET, headers: signed(body) });
			const stored = (JSON.parse(row.staticData!) as IDataObject)[
				'node:Appcues Trigger'
			] as IDataObject;
			expect(stored.signatureForm).toEqual({
				content: 'timestampDotBody',
				encoding: 'hex',
				secretFingerprint: expect.any(String),
			});
			expect(row.staticData).not.toContain(SECRET);
			// After a restart (another process), a body-only signature of a new event is refused.
			const other = npsEvent('evt-after-restart');
			const timestamp = String(Math.floor(Date.now() / 1000));
			const bodyOnly = {
				'x-apc-timestamp': timestamp,
				'x-apc-signature': createHmac('sha256', SECRET).update(other).digest('hex'),
			};
			const loaded = JSON.parse(row.staticData!) as IDataObject;
			const { result, res } = await deliver({
				body: other,
				secret: SECRET,
				headers: bodyOnly,
				staticData: loaded,
				workflowId: 'wf-pin-core-restarted',
			});
			expect(result).toEqual({ noWebhookResponse: true });
			expect(res.status).toHaveBeenCalledWith(401);
		});
	});

	it('forgets the events of a delivery n8n answered with an error, so that its retry runs', async () => {
		const workflowId = 'wf-run-failed';
		const first = await deliver({ body, workflowId });
		expect(first.result.workflowData?.[0]).toHaveLength(1);
		// n8n could not queue the run and answered 500: Appcues sends the delivery again.
		first.res.statusCode = 500;
		first.res.emit('finish');
		const retry = await deliver({ body, workflowId });
		expect(retry.result.workflowData?.[0]).toHaveLength(1);
		retry.res.emit('finish');
		const copy = await deliver({ body, workflowId });
		expect(copy.result).toEqual({ noWebhookResponse: true });
		expect(copy.res.status).toHaveBeenCalledWith(200);
	});

	it('answers a copy sent while n8n has not answered the original with 503, so that nothing is acknowledged twice', async () => {
		for (const outcome of [500, 200]) {
			const workflowId = `wf-in-flight-${outcome}`;
			const original = await deliver({ body, workflowId });
			expect(original.result.workflowData?.[0]).toHaveLength(1);
			const copy = await deliver({ body, workflowId });
			expect(copy.result).toEqual({ noWebhookResponse: true });
			expect(copy.res.status).toHaveBeenCalledWith(503);
			expect(copy.res.setHeader).toHaveBeenCalledWith('Retry-After', '5');
			original.res.statusCode = outcome;
			original.res.emit('finish');
			// Sent again later: it runs if the original could not be queued, and is a duplicate if it was.
			const later = await deliver({ body, workflowId });
			expect(later.result.workflowData?.[0]?.length ?? 0).toBe(outcome === 500 ? 1 : 0);
		}
	});

	it('forgets the events of a delivery whose connection closed before n8n answered', async () => {
		const workflowId = 'wf-closed';
		const first = await deliver({ body, workflowId });
		first.res.emit('close');
		const retry = await deliver({ body, workflowId });
		expect(retry.result.workflowData?.[0]).toHaveLength(1);
	});
});

describe('a delivery whose run n8n could not queue, then its retry', () => {
	const versions = ['2.8.4', '2.41.1'] as const;
	const surveyEvent = JSON.stringify({ id: 'evt-other', name: 'appcues:flow_started' });
	/** The trigger wants NPS events only, so the flow event is acknowledged without a run. */
	const parameters = { events: ['appcues:nps_score'] };

	/** A signed delivery of `body` to the NPS trigger, through the n8n model above. */
	const send = (row: Row, version: N8nVersion, workflowId: string, body: string) =>
		receiveUntilAnswered(row, version, workflowId, {
			body,
			secret: SECRET,
			headers: signed(body),
			parameters,
		});

	describe.each(versions)('n8n %s', (version) => {
		// n8n saves no static data when run() throws; the trigger does not rely on it in the process
		// that saw the failure. A process that did not see it relies on it.
		it.each([
			[false, 'the same process'],
			[true, 'the same process'],
			[false, 'a restarted process'],
		])(
			'starts exactly one run (n8n saves the failed request: %s; the retry reaches %s)',
			async (saveOnFailure, target) => {
				const row: Row = {};
				const workflowId = `wf-unqueued-${version}-${saveOnFailure}-${target}`;
				const event = npsEvent('evt-unqueued');
				const failed = await send(row, version, workflowId, event);
				expect(failed.started).toBe(1);
				failed.answer(false, { saveOnFailure });
				const process = target === 'the same process' ? workflowId : `${workflowId}-restarted`;
				const retry = await send(row, version, process, event);
				retry.answer();
				const copy = await send(row, version, process, event);
				expect([retry.started, copy.started]).toEqual([1, 0]);
			},
		);

		it('starts its retry when another delivery was saved while the run was being queued', async () => {
			const row: Row = {};
			const workflowId = `wf-unqueued-race-${version}`;
			const event = npsEvent('evt-in-flight');
			// Delivery 1 is in flight (n8n is still queueing its run) when a filtered delivery is
			// saved: n8n 2.41 saves the whole memory such a delivery writes, and 2.8 saves every request.
			const inFlight = await send(row, version, workflowId, event);
			const filtered = await send(row, version, workflowId, surveyEvent);
			expect(filtered.started).toBe(0);
			expect(row.staticData ?? '').not.toContain('evt-in-flight');
			inFlight.answer(false);
			// The retry runs in this process and in a process that knows only static data, once.
			const restarted = await send(row, version, `${workflowId}-2`, event);
			expect(restarted.started).toBe(1);
			restarted.answer();
			const here = await send(row, version, workflowId, event);
			expect(here.started).toBe(1);
			here.answer();
			// Once both were acknowledged, a further copy starts nothing.
			const copy = await send(row, version, workflowId, event);
			expect(copy.started).toBe(0);
		});
	});
});

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

const node = new AppcuesTrigger();

describe('node description', () => {
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(NOW);
	});

	afterEach(() => {
		vi.useRealTimers();
	});

	const { description } = node;

	it('is a trigger with no inputs, not usable as a tool', () => {
		expect(description.name).toBe('appcuesTrigger');
		expect(description.displayName).toBe('Appcues Trigger');
		expect(description.group).toEqual(['trigger']);
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual(['main']);
		expect(description.usableAsTool).toBeUndefined();
		expect(description.subtitle).toBeTruthy();
		expect(description.icon).toEqual({
			light: 'file:../../icons/appcues.svg',
			dark: 'file:../../icons/appcues.dark.svg',
		});
	});

	it('uses the appcuesApi credential, optionally', () => {
		expect(description.credentials).toEqual([{ name: 'appcuesApi', required: false }]);
	});

	it('answers POST at once with no body', () => {
		expect(description.webhooks).toEqual([
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: 'noData',
				path: 'webhook',
			},
		]);
	});

	it('offers exactly the seeded event types', () => {
		const events = description.properties.find((property) => property.name === 'events');
		expect(
			events?.options?.map((option) => ('value' in option ? option.value : undefined)).sort(),
		).toEqual(
			[
				'appcues:flow_started',
				'appcues:flow_completed',
				'appcues:flow_skipped',
				'appcues:flow_aborted',
				'appcues:form_field_submitted',
				'appcues:checklist_started',
				'appcues:checklist_completed',
				'appcues:checklist_dismissed',
				'appcues:checklist_skipped',
				'appcues:mobile_flow_started',
				'appcues:mobile_flow_completed',
				'appcues:mobile_flow_skipped',
				'appcues:pin_interacted',
				'appcues:nps_score',
				'appcues:segment_entered',
			].sort(),
		);
	});

	it('keeps its public parameter names', () => {
		expect(description.properties.map((property) => property.name)).toEqual([
			'setupNotice',
			'securityNotice',
			'events',
			'customEvents',
			'experienceIds',
			'options',
		]);
		const options = description.properties.find((property) => property.name === 'options');
		expect(options?.options?.map((option) => option.name)).toEqual([
			'ignoreDuplicates',
			'includeHeaders',
			'maxBodySize',
			'replayWindow',
			'signatureFormat',
		]);
	});

	it('tells the user how to set up the webhook, where the Production URL is, and what no secret means', () => {
		const notices = description.properties.filter((property) => property.type === 'notice');
		const text = notices.map((notice) => notice.displayName).join(' ');
		expect(text).toContain('Settings > Integrations > Webhooks');
		// The webhook URLs section of the panel starts collapsed: say what to click.
		expect(text).toContain('click Webhook URLs at the top of this panel, choose Production URL');
		expect(text).toMatch(/anyone who knows this URL can start the workflow/);
	});

	it('words the signature notice as a condition, true whether or not the credential has a secret', () => {
		const notice = description.properties.find((property) => property.name === 'securityNotice');
		const sentences = notice!.displayName.split(/(?<=\.) /);
		expect(sentences).toHaveLength(2);
		expect(sentences[0]).toMatch(/^If the selected credential holds a Webhook Signing Secret, /);
		expect(sentences[1]).toMatch(
			/^If no credential is selected, or its Webhook Signing Secret is empty, /,
		);
		expect(sentences[1]).toMatch(/anyone who knows this URL can start the workflow\.$/);
	});

	it('keeps placeholders short enough for the panel (about 40 characters fit the field)', () => {
		const placeholders = description.properties
			.filter((property) => property.type === 'string' && property.placeholder)
			.map((property) => property.placeholder!);
		expect(placeholders.length).toBeGreaterThan(0);
		for (const placeholder of placeholders) expect(placeholder.length).toBeLessThanOrEqual(42);
	});

	it('registers nothing with Appcues', async () => {
		const hooks = {} as never;
		await expect(node.webhookMethods.default.checkExists.call(hooks)).resolves.toBe(true);
		await expect(node.webhookMethods.default.create.call(hooks)).resolves.toBe(true);
		await expect(node.webhookMethods.default.delete.call(hooks)).resolves.toBe(true);
	});
});

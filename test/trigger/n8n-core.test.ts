/**
 * The trigger inside n8n-core's real WebhookContext: parameter defaults, the optional credential,
 * and static data behave as they do in n8n, not as a hand-rolled fake assumes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'crypto';

// n8n-core writes an instance key below N8N_USER_FOLDER on first use.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'appcues-trigger-'));

import { WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	IDataObject,
	INode,
	INodeParameters,
	INodeProperties,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { ICredentialsHelper, Workflow } from 'n8n-workflow';
import { describe, expect, it, vi } from 'vitest';

import { AppcuesApi } from '../../credentials/AppcuesApi.credentials';
import { NodeTypes } from '../harness/node-types';
import { AppcuesTrigger } from '../../nodes/AppcuesTrigger/AppcuesTrigger.node';

const NODE_TYPE = 'n8n-nodes-appcues.appcuesTrigger';
const SECRET = 'apc_core_secret_93kd';

class CredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}
	getParentTypes() {
		return [];
	}
	async authenticate(): Promise<never> {
		throw new Error('not used');
	}
	async preAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used');
	}
	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.data };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(): INodeProperties[] {
		return new AppcuesApi().properties;
	}
}

interface Delivery {
	body: string;
	headers?: Record<string, string>;
	parameters?: INodeParameters;
	/** undefined: no credential selected on the node. */
	secret?: string;
	staticData?: IDataObject;
}

async function deliver(delivery: Delivery) {
	const trigger = new AppcuesTrigger();
	const node: INode = {
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
	const workflow = new Workflow({
		id: 'wf-trigger',
		name: 'Trigger test',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: trigger }),
		staticData: delivery.staticData,
		settings: { executionOrder: 'v1' },
	});
	const res = { status: vi.fn(), setHeader: vi.fn(), send: vi.fn(), end: vi.fn() };
	res.status.mockReturnValue(res);
	res.send.mockReturnValue(res);
	const headers = { 'content-type': 'application/json', ...delivery.headers };
	const rawBody = Buffer.from(delivery.body);
	const additionalData = {
		credentialsHelper: new CredentialsHelper({
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
	return { result, res, workflow };
}

function signed(body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
	return {
		'x-apc-timestamp': timestamp,
		'x-apc-signature': createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex'),
	};
}

const event = { id: 'evt-core-1', name: 'appcues:flow_completed', attributes: { flowId: 'f-1' } };
const body = JSON.stringify(event);

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
});

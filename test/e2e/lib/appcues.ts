/**
 * What the Appcues e2e suite and `npm run dev` share: the credentials that point n8n at the fake
 * Appcues server, the example workflows in test/e2e/workflows/, and signed webhook deliveries.
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { DEFAULT_ACCOUNT, type FakeAccount } from '../../fake-appcues/server';
import { repoRoot, type CredentialJson, type WorkflowJson } from './n8n';

export const NODE_TYPE = 'n8n-nodes-appcues.appcues';
export const TRIGGER_TYPE = 'n8n-nodes-appcues.appcuesTrigger';

/** The credential every example workflow uses (ids are fixed: the workflows refer to them). */
export const SANDBOX_CREDENTIAL = { id: 'appcuesSandbox01', name: 'Appcues Sandbox' } as const;
/** Same account, wrong API secret: the error examples use it. */
export const WRONG_KEY_CREDENTIAL = { id: 'appcuesWrongKey1', name: 'Appcues Wrong Key' } as const;

/** Webhook Signing Secret of the sandbox credential (deliveries to the trigger are signed with it). */
export const WEBHOOK_SECRET = 'sandbox-webhook-secret';
export const WRONG_API_SECRET = 'wrong-secret-for-the-error-examples';

/**
 * The credentials to import: one that works against the fake at `baseUrl` (and its account tools
 * at `toolsBaseUrl`), one with a wrong secret.
 */
export function appcuesCredentials(
	baseUrl: string,
	account: FakeAccount = DEFAULT_ACCOUNT,
	toolsBaseUrl = '',
): CredentialJson[] {
	const common = { accountId: account.accountId, region: 'custom', baseUrl, toolsBaseUrl };
	return [
		{
			...SANDBOX_CREDENTIAL,
			type: 'appcuesApi',
			data: {
				...common,
				apiKey: account.apiKey,
				apiSecret: account.apiSecret,
				webhookSecret: WEBHOOK_SECRET,
				legacyApiKey: account.legacyApiKey ?? '',
			},
		},
		{
			...WRONG_KEY_CREDENTIAL,
			type: 'appcuesApi',
			data: { ...common, apiKey: account.apiKey, apiSecret: WRONG_API_SECRET },
		},
	];
}

export const WORKFLOWS_DIR = join(repoRoot(), 'test', 'e2e', 'workflows');

/** The example workflows, keyed by file name without `.json` (users, segments, trigger, ...). */
export function loadWorkflows(
	dir: string = WORKFLOWS_DIR,
): Record<string, WorkflowJson & { id: string }> {
	const out: Record<string, WorkflowJson & { id: string }> = {};
	for (const file of readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()) {
		const workflow = JSON.parse(readFileSync(join(dir, file), 'utf8')) as WorkflowJson;
		if (!workflow.id) throw new Error(`${file}: the example workflows need a fixed id`);
		out[basename(file, '.json')] = workflow as WorkflowJson & { id: string };
	}
	return out;
}

/**
 * The production webhook path of a workflow's Appcues Trigger, after `/webhook/`: the node's
 * webhookId, then the trigger's fixed path `webhook` (nodes/AppcuesTrigger: `path: 'webhook'`).
 */
export function triggerWebhookPath(workflow: WorkflowJson): string {
	const node = workflow.nodes.find((n) => n.type === TRIGGER_TYPE);
	if (!node?.webhookId)
		throw new Error(`workflow ${workflow.name} has no Appcues Trigger with a webhookId`);
	return `${node.webhookId}/webhook`;
}

/**
 * Headers of a signed delivery as the trigger checks it by default: hex HMAC-SHA256 with the
 * secret over `timestamp + "." + body`, in X-Apc-Signature, and the Unix time in X-Apc-Timestamp.
 */
export function signDelivery(
	secret: string,
	body: string,
	timestamp: number | string = Math.floor(Date.now() / 1000),
): Record<string, string> {
	const ts = String(timestamp);
	const signature = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
	return {
		'Content-Type': 'application/json',
		'X-Apc-Timestamp': ts,
		'X-Apc-Signature': signature,
	};
}

export function basicAuth(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

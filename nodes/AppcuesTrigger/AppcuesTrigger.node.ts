import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { triggerProperties } from './description';
import { handleWebhook } from './webhook';

export class AppcuesTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Appcues Trigger',
		name: 'appcuesTrigger',
		icon: { light: 'file:../../icons/appcues.svg', dark: 'file:../../icons/appcues.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{($parameter["events"] || []).length || $parameter["customEvents"] ? "Selected events" : ' +
			'"All events"}}',
		// n8n's node creator shows this text for the merged "Appcues" entry (node and trigger), so it
		// speaks for the whole app; the trigger panel's own notices explain the webhook.
		description:
			'Manage Appcues users, groups, segments, experiences and tags, import and ' +
			'export data in bulk, and start workflows from signed Appcues webhooks',
		defaults: { name: 'Appcues Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Optional: only the Webhook Signing Secret is used, and a trigger without one still works.
		credentials: [{ name: 'appcuesApi', required: false }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// Answer at once with an empty 200, so Appcues never waits for the workflow.
				responseMode: 'onReceived',
				responseData: 'noData',
				path: 'webhook',
			},
		],
		properties: triggerProperties,
	};

	// Appcues has no API to register webhooks: the URL is pasted into Appcues Studio by hand, so
	// there is nothing to look up, create or delete here.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleWebhook.call(this);
	}
}

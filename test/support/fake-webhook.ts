import { vi } from 'vitest';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

export interface FakeDelivery {
	/** Request bytes as n8n keeps them in req.rawBody; undefined leaves rawBody unset. */
	rawBody?: Buffer | string;
	/** What getBodyData() returns (n8n's parsed body); defaults to JSON.parse(rawBody) or {}. */
	parsedBody?: unknown;
	headers?: Record<string, string | string[]>;
	/** undefined: no credential selected; a string: the credential's webhookSecret. */
	secret?: string;
	/** Make getCredentials fail, as when a selected credential cannot be decrypted. */
	credentialError?: Error;
	parameters?: Record<string, unknown>;
	staticData?: IDataObject;
	/**
	 * The workflow the delivery is for, which keys the trigger's in-process memory. By default
	 * deliveries sharing a staticData object share a workflow (as in n8n), and any other delivery is
	 * a workflow of its own.
	 */
	workflowId?: string;
}

const workflowOfStaticData = new WeakMap<IDataObject, string>();
let workflowCount = 0;

function workflowIdFor(delivery: FakeDelivery, staticData: IDataObject): string {
	if (delivery.workflowId !== undefined) return delivery.workflowId;
	let id = workflowOfStaticData.get(staticData);
	if (id === undefined) {
		id = `fake-workflow-${++workflowCount}`;
		workflowOfStaticData.set(staticData, id);
	}
	return id;
}

export interface FakeResponse {
	status: ReturnType<typeof vi.fn>;
	setHeader: ReturnType<typeof vi.fn>;
	send: ReturnType<typeof vi.fn>;
	end: ReturnType<typeof vi.fn>;
}

/** A hand-rolled IWebhookFunctions, as n8n's own trigger tests use (conventions note §4.3). */
export function fakeWebhook(delivery: FakeDelivery) {
	const res: FakeResponse = {
		status: vi.fn(),
		setHeader: vi.fn(),
		send: vi.fn(),
		end: vi.fn(),
	};
	res.status.mockReturnValue(res);
	res.send.mockReturnValue(res);
	res.end.mockReturnValue(res);

	const headers = Object.fromEntries(
		Object.entries(delivery.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
	);
	const rawText = delivery.rawBody === undefined ? undefined : delivery.rawBody.toString();
	let parsed = delivery.parsedBody;
	if (!('parsedBody' in delivery)) {
		try {
			parsed = rawText ? JSON.parse(rawText) : {};
		} catch {
			parsed = {};
		}
	}
	const request: Record<string, unknown> = { headers, body: parsed };
	if (delivery.rawBody !== undefined) request.rawBody = delivery.rawBody;

	const staticData: IDataObject = delivery.staticData ?? {};
	const workflowId = workflowIdFor(delivery, staticData);
	const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
	const parameters = delivery.parameters ?? {};

	const functions = {
		getNode: () => ({
			id: 'node-1',
			name: 'Appcues Trigger',
			type: 'n8n-nodes-appcues.appcuesTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters,
			credentials:
				delivery.secret !== undefined || delivery.credentialError
					? { appcuesApi: { id: 'cred-1', name: 'Appcues account' } }
					: undefined,
		}),
		getCredentials: vi.fn(async () => {
			if (delivery.credentialError) throw delivery.credentialError;
			return {
				apiKey: 'key',
				apiSecret: 'api-secret',
				accountId: '12345',
				region: 'us',
				webhookSecret: delivery.secret ?? '',
			};
		}),
		getWorkflow: () => ({ id: workflowId, name: 'Appcues test workflow', active: true }),
		getNodeParameter: vi.fn((name: string, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
		),
		getHeaderData: () => headers,
		getBodyData: () => parsed,
		getRequestObject: () => request,
		getResponseObject: () => res,
		getWorkflowStaticData: vi.fn(() => staticData),
		logger,
		helpers: {},
	};

	return {
		functions: functions as unknown as IWebhookFunctions,
		res,
		staticData,
		logger,
	};
}

/**
 * Runs the Appcues node through n8n-core's real WorkflowExecute, so parameters, expressions,
 * credentials, pairedItem and continueOnFail behave as they do in n8n.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes an instance key below N8N_USER_FOLDER on first use.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'appcues-n8n-'));

import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeProperties,
	IRun,
	ResourceMapperFields,
	IWorkflowExecuteAdditionalData,
	Workflow as WorkflowType,
} from 'n8n-workflow';
import { createRunExecutionData, ICredentialsHelper, Workflow } from 'n8n-workflow';

import { AppcuesApi } from '../../credentials/AppcuesApi.credentials';
import { NodeTypes } from './node-types';
// Explicit extension: next to it is Appcues.node.json, which Node's resolver would pick first.
import { Appcues } from '../../nodes/Appcues/Appcues.node.ts';

const NODE_TYPE = 'n8n-nodes-appcues.appcues';
/** The node as an AI agent's tool: n8n registers a copy of the node type named "…Tool". */
const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;

class AppcuesTool extends Appcues {
	constructor() {
		super();
		this.description = {
			...this.description,
			name: `${this.description.name}Tool`,
			displayName: `${this.description.displayName} Tool`,
		};
	}
}

/** Applies the credential's `authenticate` (a function, or generic) the way n8n's CredentialsHelper does. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly type: ICredentialType,
		private readonly data: ICredentialDataDecryptedObject,
	) {
		super();
	}
	getParentTypes() {
		return [];
	}
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: WorkflowType,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.type.authenticate;
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		const resolve = (value: string) => {
			if (typeof value !== 'string' || !value.startsWith('=')) return value;
			const resolved = workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return resolved ? String(resolved) : '';
		};
		const options = requestOptions as unknown as Record<string, Record<string, string>>;
		for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
			for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
				options[outerKey] ??= {};
				options[outerKey][resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used in tests');
	}
	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.data };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(): INodeProperties[] {
		return this.type.properties;
	}
}

export interface RunNodeOptions {
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
	/** Input items (plain JSON, or full items with binary data); one empty item by default. */
	items?: Array<IDataObject | INodeExecutionData>;
	continueOnFail?: boolean;
	/** Run the tool variant n8n makes for AI agents (display option `@tool` is then true). */
	asTool?: boolean;
}

export interface NodeRunResult {
	/** Output items of the Appcues node (main output), empty when it failed. */
	items: INodeExecutionData[];
	/** The error the node ended with, as n8n recorded it. */
	/** Execution hints the node added (shown in n8n's output pane). */
	hints: Array<{ message: string; location?: string }>;
	error?: {
		message: string;
		description?: string | null;
		httpCode?: string | null;
		context?: IDataObject;
		name?: string;
	};
	run: IRun;
}

function isFullItem(item: IDataObject | INodeExecutionData): boolean {
	return Boolean(
		item &&
		typeof item === 'object' &&
		'json' in item &&
		typeof item.json === 'object' &&
		('binary' in item || Object.keys(item).length === 1),
	);
}

function testNode(parameters: INodeParameters, continueOnFail?: boolean, asTool = false): INode {
	return {
		id: 'appcues-node',
		name: 'Appcues',
		type: asTool ? TOOL_NODE_TYPE : NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { appcuesApi: { id: 'cred-1', name: 'Appcues test' } },
		...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

function testWorkflow(node: INode): Workflow {
	return new Workflow({
		id: 'wf-test',
		name: 'Appcues test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: new Appcues(), [TOOL_NODE_TYPE]: new AppcuesTool() }),
		settings: { executionOrder: 'v1' },
	});
}

export async function runAppcuesNode(options: RunNodeOptions): Promise<NodeRunResult> {
	const node = testNode(options.parameters, options.continueOnFail, options.asTool);
	const workflow = testWorkflow(node);

	const items = (options.items ?? [{}]).map((item) =>
		isFullItem(item) ? (item as INodeExecutionData) : { json: item as IDataObject },
	);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node, data: { main: [items] }, source: null }],
		},
	});

	const hooks = new ExecutionLifecycleHooks('manual', 'exec-test', {
		id: 'wf-test',
		name: 'Appcues test',
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [node],
		connections: {},
		settings: {},
		activeVersionId: null,
	} as never);
	const additionalData = {
		hooks,
		credentialsHelper: new TestCredentialsHelper(new AppcuesApi(), options.credentials),
		currentNodeExecutionIndex: 0,
		restApiUrl: '',
		instanceBaseUrl: '',
		formWaitingBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		variables: {},
		executionId: 'exec-test',
		logAiEvent: () => {},
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const run = await new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflow);
	const task = run.data.resultData.runData.Appcues?.[0];
	const error = (task?.error ?? run.data.resultData.error) as NodeRunResult['error'] | undefined;
	return {
		items: task?.data?.main?.[0] ?? [],
		hints: ((task as { hints?: NodeRunResult['hints'] } | undefined)?.hints ?? []).map(
			({ message, location }) => ({ message, location }),
		),
		error: error
			? {
					message: error.message,
					description: error.description,
					httpCode: error.httpCode,
					context: error.context,
					name: (error as { name?: string }).name,
				}
			: undefined,
		run,
	};
}

export interface ListSearchOptions {
	/** A method of the node's `methods.listSearch`, e.g. searchSegments. */
	method: keyof Appcues['methods']['listSearch'];
	filter?: string;
	/** The node's current parameters, as the editor passes them (e.g. experienceType). */
	parameters?: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
}

/** n8n-core's LoadOptionsContext for the node with these parameters, as the editor makes one. */
function loadOptionsContext(
	parameters: INodeParameters,
	credentials: ICredentialDataDecryptedObject,
): LoadOptionsContext {
	const node = testNode(parameters);
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(new AppcuesApi(), credentials),
		currentNodeParameters: parameters,
		restApiUrl: '',
		instanceBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		formWaitingBaseUrl: '',
		variables: {},
	} as unknown as IWorkflowExecuteAdditionalData;
	return new LoadOptionsContext(testWorkflow(node), node, additionalData, 'parameters');
}

/** Calls a list search method through n8n-core's LoadOptionsContext, as the editor's search box does. */
export async function runListSearch(options: ListSearchOptions): Promise<INodeListSearchResult> {
	const context = loadOptionsContext(options.parameters ?? {}, options.credentials);
	const search = new Appcues().methods.listSearch[options.method];
	return await search.call(context, options.filter);
}

/** Calls a resource mapping method as the editor does when it builds the fields of a resource mapper. */
export async function runResourceMapping(options: {
	method: keyof Appcues['methods']['resourceMapping'];
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
}): Promise<ResourceMapperFields> {
	const context = loadOptionsContext(options.parameters, options.credentials);
	return await new Appcues().methods.resourceMapping[options.method].call(context);
}

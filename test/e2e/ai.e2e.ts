/**
 * The Appcues node as an AI tool in real n8n 2.41.1, end to end, with no model on the internet:
 *
 *   N8N_E2E_VERSIONS=2.41.1 npx vitest run --config test/e2e/vitest.config.ts test/e2e/ai.e2e.ts
 *
 * The two example workflows of examples/ run as they ship, with their credentials pointed at
 * local servers: ai-agent.json (Webhook -> AI Agent with the OpenAI Chat Model and five Appcues
 * Tool nodes) and mcp-server.json (MCP Server Trigger exposing the same five tools, bearer auth).
 * The OpenAI credential's base URL points at a scripted model (lib/scripted-model.ts) that
 * answers the Responses API from a script per prompt and records what n8n sent it; the Appcues
 * credential points at the fake Appcues API. An MCP client (the official TypeScript SDK) lists
 * and calls the tools over Streamable HTTP.
 *
 * 2.41.1 only: in 2.8.4 a tool error stops the agent's run instead of going back to the model.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { FakeAppcues, type RecordedRequest } from '../fake-appcues/server';
import { seedDemoData } from '../fake-appcues/seed';
import { appcuesCredentials, basicAuth, SANDBOX_CREDENTIAL, WEBHOOK_SECRET } from './lib/appcues';
import {
	createN8nSandbox,
	disposeAll,
	packPackage,
	repoRoot,
	type N8nSandbox,
	type RunningN8n,
	type WorkflowJson,
} from './lib/n8n';
import { type ModelRequest, type OfferedTool, ScriptedModel } from './lib/scripted-model';
import { selectedVersions } from './lib/versions';

const ACCOUNT = {
	accountId: '12345',
	apiKey: 'test-key',
	apiSecret: 'ai-test-secret-do-not-leak',
	legacyApiKey: 'ai-legacy-key-do-not-leak',
};
const V2 = `/v2/accounts/${ACCOUNT.accountId}`;
const OPENAI_KEY = 'sk-scripted-model-key';
const MCP_TOKEN = 'mcp-token-for-the-e2e-test';
/** Never to be sent to the model or an MCP client. */
const SECRETS = [
	ACCOUNT.apiSecret,
	ACCOUNT.legacyApiKey,
	WEBHOOK_SECRET,
	basicAuth(ACCOUNT.apiKey, ACCOUNT.apiSecret),
];

/** Tool names as n8n derives them from the node names of the example workflows. */
const TOOLS = {
	getProfile: 'Get_user_profile',
	updateProfile: 'Update_user_profile',
	trackEvent: 'Track_event',
	listSegments: 'List_segments',
	addToSegment: 'Add_users_to_segment',
} as const;

/** The examples describe the two segment tools by hand (Description: Set Manually). */
const LIST_SEGMENTS_DESCRIPTION =
	"List the segments of the Appcues account (up to 50), each with its ID, name, description and number of users. Use it to find a segment's ID from its name.";
const ADD_TO_SEGMENT_DESCRIPTION =
	"Add end users to an Appcues segment, given the segment's ID and the users' IDs. Appcues applies the change within a few minutes.";
const CHAT_AGENT_PATH = 'appcues-agent-chat-completions';
/** The same agent with the account tools as its only tools (built from ai-agent.json below). */
const TOOLS_AGENT_PATH = 'appcues-account-tools-agent';
const TOOLS_AGENT_ID = 'appcuesToolsAgent1';
const ACCOUNT_TOOLS = { list: 'List_account_tools', call: 'Call_account_tool' } as const;
/** What the account tools receive in appcues-api-key: base64("key:secret"). */
const TOOLS_KEY = Buffer.from(`${ACCOUNT.apiKey}:${ACCOUNT.apiSecret}`).toString('base64');

const versions = selectedVersions().filter((version) => version === '2.41.1');

async function loadExample(name: string): Promise<WorkflowJson & { id: string }> {
	return JSON.parse(
		await readFile(join(repoRoot(), 'examples', `${name}.json`), 'utf8'),
	) as WorkflowJson & { id: string };
}

/** The tool results of a conversation's last request, parsed ({"error": ...} or the items). */
function parsedOutput(output: string): unknown {
	return JSON.parse(output) as unknown;
}

/**
 * The example agent with its five tools replaced by two Appcues Tool nodes on the account tools:
 * Get Many (full, so the model sees each tool's input schema) and Call, whose tool name and
 * arguments the model fills in.
 */
function accountToolsAgent(agent: WorkflowJson & { id: string }): WorkflowJson & { id: string } {
	const workflow = structuredClone(agent);
	workflow.id = TOOLS_AGENT_ID;
	workflow.name += ' (account tools)';
	const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')!;
	webhook.parameters.path = TOOLS_AGENT_PATH;
	webhook.webhookId = '5d3c1a8e-4f0b-4c51-9a7e-0a9c7e5a6e43';
	workflow.nodes.find(
		(node) => node.type === '@n8n/n8n-nodes-langchain.agent',
	)!.parameters.options = {
		systemMessage:
			'You run Appcues account tools. List them first; call one by its name with arguments that match its inputSchema. When a tool answers with an error, read it and fix the arguments.',
	};
	const appcuesTools = workflow.nodes.filter(
		(node) => node.type === 'n8n-nodes-appcues.appcuesTool',
	);
	const [credentials] = appcuesTools.map((node) => node.credentials);
	workflow.nodes = workflow.nodes.filter((node) => !appcuesTools.includes(node));
	for (const node of appcuesTools) delete workflow.connections[node.name];
	const toolNode = (name: string, x: number, parameters: Record<string, unknown>) => ({
		id: `a9c1e0d0-0000-4000-8000-0000000002${x}`,
		name,
		type: 'n8n-nodes-appcues.appcuesTool',
		typeVersion: 1,
		position: [200 + x * 160, 460] as [number, number],
		parameters: { descriptionType: 'manual', resource: 'accountTool', ...parameters },
		credentials,
	});
	workflow.nodes.push(
		toolNode('List account tools', 1, {
			toolDescription:
				'List the Appcues account tools (campaigns, NPS results, dashboards, screenshots), each with its name, description, inputSchema and annotations (readOnlyHint false means it changes data). Call account tool runs one by name.',
			operation: 'getAll',
			view: 'full',
			returnAll: true,
		}),
		toolNode('Call account tool', 2, {
			toolDescription:
				'Run one Appcues account tool by its name, with arguments matching its inputSchema from List account tools.',
			operation: 'call',
			toolName: {
				__rl: true,
				mode: 'name',
				value:
					"={{ $fromAI('tool_name', 'The name of the account tool, from List account tools, e.g. list_campaigns', 'string') }}",
			},
			argumentsInput: 'json',
			argumentsJson:
				"={{ $fromAI('tool_arguments', 'The arguments of the tool as a JSON object matching its inputSchema, e.g. {\"campaign_id\": \"c1\"}', 'json') }}",
		}),
	);
	for (const name of ['List account tools', 'Call account tool'])
		workflow.connections[name] = {
			ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]],
		};
	return workflow;
}

function apiCall(request: RecordedRequest) {
	return {
		method: request.method,
		path: request.rawPath,
		body: request.body === '' ? undefined : request.body,
		status: request.status,
	};
}

describe.skipIf(versions.length === 0)('Appcues as an AI tool in n8n 2.41.1', () => {
	let n8n: N8nSandbox;
	let server: RunningN8n;
	let fake: FakeAppcues;
	let model: ScriptedModel;
	let packDir: string;
	let agentPath: string;

	beforeAll(async () => {
		fake = new FakeAppcues({ accounts: [ACCOUNT], seed: seedDemoData, jobPollsToFinish: 1 });
		await fake.start();
		model = await new ScriptedModel().start();
		n8n = await createN8nSandbox('2.41.1');
		packDir = await mkdtemp(join(tmpdir(), 'n8n-e2e-ai-pack-'));
		await n8n.installPackageTarball(await packPackage(undefined, packDir));

		const agent = await loadExample('ai-agent');
		const mcp = await loadExample('mcp-server');
		const credentialOf = (workflow: WorkflowJson, type: string) =>
			workflow.nodes.map((node) => node.credentials?.[type]).find(Boolean)!;
		expect(credentialOf(agent, 'appcuesApi')).toEqual(SANDBOX_CREDENTIAL);
		await n8n.importCredentials([
			...appcuesCredentials(fake.url, ACCOUNT, fake.toolsUrl).filter(
				(credential) => credential.id === SANDBOX_CREDENTIAL.id,
			),
			{
				...credentialOf(agent, 'openAiApi'),
				type: 'openAiApi',
				data: { apiKey: OPENAI_KEY, url: model.baseUrl },
			},
			{
				...credentialOf(mcp, 'httpBearerAuth'),
				type: 'httpBearerAuth',
				data: { token: MCP_TOKEN },
			},
		]);
		// The example names a real OpenAI model; the scripted one answers to any id.
		const chatModel = agent.nodes.find(
			(node) => node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		)!;
		chatModel.parameters.model = { __rl: true, mode: 'id', value: 'fake-model' };
		// The same agent with "Use Responses API" off, so the model is asked over Chat Completions.
		const chatAgent = structuredClone(agent);
		chatAgent.id = 'appcuesAiAgentCC';
		chatAgent.name += ' (Chat Completions)';
		const chatWebhook = chatAgent.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')!;
		chatWebhook.parameters.path = CHAT_AGENT_PATH;
		chatWebhook.webhookId = '5d3c1a8e-4f0b-4c51-9a7e-0a9c7e5a6e42';
		chatAgent.nodes.find(
			(node) => node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		)!.parameters.responsesApiEnabled = false;

		const toolsAgent = accountToolsAgent(agent);

		await n8n.importWorkflows([agent, chatAgent, toolsAgent, mcp]);
		for (const workflow of [agent, chatAgent, toolsAgent, mcp])
			await n8n.publishWorkflow(workflow.id);
		server = await n8n.start();
		agentPath = String(
			agent.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')!.parameters.path,
		);
		await server.waitForWebhook(agentPath);
		await server.waitForWebhook(CHAT_AGENT_PATH);
		await server.waitForWebhook(TOOLS_AGENT_PATH);
	});

	beforeEach((ctx) => {
		fake.reset();
		ctx.onTestFailed(() => {
			if (n8n) n8n.keep = true;
			console.log(
				`kept ${n8n?.root} for "${ctx.task.name}"; model failures: ${JSON.stringify(model?.failures)}`,
			);
		});
	});

	afterAll(async () => {
		await disposeAll();
		await model?.stop();
		await fake?.close();
		if (packDir) await rm(packDir, { recursive: true, force: true });
	});

	/** Sends the prompt to the agent workflow; returns the agent's answer and the model requests. */
	async function ask(
		prompt: string,
		path = agentPath,
	): Promise<{ status: number; answer: unknown; requests: ModelRequest[] }> {
		const response = await fetch(`${server.baseUrl}/webhook/${path}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ prompt }),
		});
		const text = await response.text();
		const requests = model.conversation(prompt);
		for (const request of requests) {
			for (const secret of SECRETS)
				expect(JSON.stringify(request.body), 'a secret was sent to the model').not.toContain(
					secret,
				);
		}
		let answer: unknown = text;
		try {
			answer = JSON.parse(text);
		} catch {
			// not JSON: kept as text for the assertion message
		}
		return { status: response.status, answer, requests };
	}

	/** Status of the newest execution of a workflow, once it has finished. */
	async function lastRunStatus(workflowId: string): Promise<string> {
		const deadline = Date.now() + 30_000;
		for (;;) {
			const [newest] = await n8n.listExecutions({ workflowId });
			if (newest && !['new', 'running', 'waiting'].includes(newest.status)) return newest.status;
			if (Date.now() > deadline)
				throw new Error(`the last execution of ${workflowId} did not finish (${newest?.status})`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	function tool(requests: ModelRequest[], name: string): OfferedTool {
		const found = requests[0]?.tools.find((candidate) => candidate.name === name);
		if (!found)
			throw new Error(
				`tool ${name} was not offered (offered: ${requests[0]?.tools.map((t) => t.name).join(', ')})`,
			);
		return found;
	}

	it("update user ada's plan to pro: the tool list, the PATCH, and Appcues' answer back to the model", async () => {
		const prompt = "update user ada's plan to pro";
		model.addScript({
			prompt,
			steps: [
				{
					toolCalls: [
						{
							name: TOOLS.updateProfile,
							arguments: { user_id: 'ada', properties: { plan: 'pro' } },
						},
					],
				},
				(request) => ({ text: `Done: ${request.toolResults[0].output}` }),
			],
		});
		const { status, answer, requests } = await ask(prompt);
		expect(status).toBe(200);
		expect(requests.map((request) => request.api)).toEqual(['responses', 'responses']);
		expect(requests[0].authorization).toBe(`Bearer ${OPENAI_KEY}`);
		expect(requests[0].system).toContain('You manage end users and segments in Appcues');

		// The tools n8n offered: our five, named after the nodes, described by the operations.
		console.log(
			`Tools as the model saw them (Responses API):\n${JSON.stringify(requests[0].tools, null, 1)}`,
		);
		expect(requests[0].tools.map((t) => t.name).sort()).toEqual(Object.values(TOOLS).sort());
		expect(tool(requests, TOOLS.updateProfile)).toMatchObject({
			description: 'Update a user profile in Appcues',
			parameters: {
				type: 'object',
				required: ['user_id', 'properties'],
				properties: {
					user_id: { type: 'string', description: 'The ID of the end user in Appcues, e.g. ada' },
					// $fromAI's json type arrives with no JSON schema type: the description must say "object",
					// and the node takes an object or JSON text.
					properties: {
						description:
							'The profile properties to set, as a JSON object of property names and values',
					},
				},
			},
		});
		expect(tool(requests, TOOLS.listSegments)).toMatchObject({
			description: LIST_SEGMENTS_DESCRIPTION,
			parameters: { type: 'object', properties: {} },
		});
		expect(tool(requests, TOOLS.getProfile).description).toBe('Get a user profile in Appcues');
		expect(tool(requests, TOOLS.trackEvent).description).toBe(
			'Track an event for a user in Appcues',
		);
		expect(tool(requests, TOOLS.addToSegment).description).toBe(ADD_TO_SEGMENT_DESCRIPTION);
		expect(tool(requests, TOOLS.addToSegment).parameters).toMatchObject({
			required: ['segment_id', 'user_ids'],
			properties: { segment_id: { type: 'string' }, user_ids: { type: 'string' } },
		});

		// The tool call became the right Appcues request...
		expect(fake.requests.map(apiCall)).toEqual([
			{ method: 'PATCH', path: `${V2}/users/ada/profile`, body: { plan: 'pro' }, status: 200 },
		]);
		expect(fake.state().users.get('ada')?.properties.plan).toBe('pro');
		// ...and Appcues' answer went back to the model as the tool result.
		expect(requests[1].toolResults).toHaveLength(1);
		expect(requests[1].toolResults[0]).toMatchObject({
			name: TOOLS.updateProfile,
			arguments: { user_id: 'ada', properties: { plan: 'pro' } },
		});
		expect(parsedOutput(requests[1].toolResults[0].output)).toEqual([
			{ user_id: 'ada', status: 200 },
		]);
		expect(answer).toEqual({ output: `Done: ${requests[1].toolResults[0].output}` });
	});

	it('add users ada and grace to segment Trial Users: looks the segment up, then adds both in one request', async () => {
		const prompt = 'add users ada and grace to segment Trial Users';
		model.addScript({
			prompt,
			steps: [
				{ toolCalls: [{ name: TOOLS.listSegments, arguments: {} }] },
				(request) => {
					const segments = parsedOutput(request.toolResults[0].output) as Array<{
						id: string;
						name: string;
					}>;
					const trial = segments.find((segment) => segment.name === 'Trial Users');
					return {
						toolCalls: [
							{
								name: TOOLS.addToSegment,
								arguments: { segment_id: trial?.id ?? 'not-found', user_ids: 'ada,grace' },
							},
						],
					};
				},
				(request) => ({ text: `Added: ${request.toolResults[1].output}` }),
			],
		});
		const { status, answer, requests } = await ask(prompt);
		expect(status).toBe(200);
		expect(requests).toHaveLength(3);
		expect(fake.requests.map(apiCall)).toEqual([
			{ method: 'GET', path: `${V2}/segments`, body: undefined, status: 200 },
			{
				method: 'POST',
				path: `${V2}/segments/seg-trial/add_user_ids`,
				body: { user_ids: ['ada', 'grace'] },
				status: 202,
			},
		]);
		expect(requests[2].toolResults.map((result) => result.name)).toEqual([
			TOOLS.listSegments,
			TOOLS.addToSegment,
		]);
		const [added] = parsedOutput(requests[2].toolResults[1].output) as Array<
			Record<string, unknown>
		>;
		expect(added).toMatchObject({ segment_id: 'seg-trial', added: 2, requests: 1 });
		expect(added.job_ids).toEqual([expect.any(String)]);
		expect(answer).toEqual({ output: expect.stringContaining('"segment_id":"seg-trial"') });
	});

	it('what segments exist?: the model gets every segment and answers with their names', async () => {
		const prompt = 'what segments exist?';
		model.addScript({
			prompt,
			steps: [
				{ toolCalls: [{ name: TOOLS.listSegments, arguments: {} }] },
				(request) => {
					const segments = parsedOutput(request.toolResults[0].output) as Array<{ name: string }>;
					return { text: `Segments: ${segments.map((segment) => segment.name).join(', ')}` };
				},
			],
		});
		const { status, answer, requests } = await ask(prompt);
		expect(status).toBe(200);
		expect(fake.requests.map(apiCall)).toEqual([
			{ method: 'GET', path: `${V2}/segments`, body: undefined, status: 200 },
		]);
		const segments = parsedOutput(requests[1].toolResults[0].output) as Array<
			Record<string, unknown>
		>;
		expect(segments.map((segment) => segment.id)).toEqual([
			'seg-power-users',
			'seg-trial',
			'seg-admins',
		]);
		const trialMembers = fake.state().segments.get('seg-trial')!.user_ids.size;
		expect(segments[1]).toMatchObject({
			name: 'Trial Users',
			description: 'Users still on a trial',
			user_count: trialMembers,
		});
		expect(answer).toEqual({ output: 'Segments: Power Users, Trial Users, Admins' });
	});

	it('what segments exist?, over Chat Completions (Use Responses API off): same tools, same result', async () => {
		const prompt = 'which segments are there? (chat completions)';
		model.addScript({
			prompt,
			steps: [
				{ toolCalls: [{ name: TOOLS.listSegments, arguments: {} }] },
				(request) => ({
					text: `Segments: ${(parsedOutput(request.toolResults[0].output) as Array<{ name: string }>).map((segment) => segment.name).join(', ')}`,
				}),
			],
		});
		const { status, answer, requests } = await ask(prompt, CHAT_AGENT_PATH);
		expect(status).toBe(200);
		expect(requests.map((request) => `${request.api} ${request.path}`)).toEqual([
			'chat /v1/chat/completions',
			'chat /v1/chat/completions',
		]);
		expect(requests[0].tools.map((t) => t.name).sort()).toEqual(Object.values(TOOLS).sort());
		expect(tool(requests, TOOLS.listSegments).description).toBe(LIST_SEGMENTS_DESCRIPTION);
		expect(requests[1].toolResults[0].name).toBe(TOOLS.listSegments);
		expect(fake.requests.map(apiCall)).toEqual([
			{ method: 'GET', path: `${V2}/segments`, body: undefined, status: 200 },
		]);
		expect(answer).toEqual({ output: 'Segments: Power Users, Trial Users, Admins' });
	});

	it('a hallucinated segment id comes back to the model as a tool error, and the run ends cleanly', async () => {
		const prompt = 'add ada to the VIP segment';
		model.addScript({
			prompt,
			steps: [
				{
					toolCalls: [
						{ name: TOOLS.addToSegment, arguments: { segment_id: 'seg-vip', user_ids: 'ada' } },
					],
				},
				(request) => ({ text: `Sorry: ${request.toolResults[0].output}` }),
			],
		});
		const { status, answer, requests } = await ask(prompt);
		expect(status).toBe(200);
		expect(fake.requests.map(apiCall)).toEqual([
			{
				method: 'POST',
				path: `${V2}/segments/seg-vip/add_user_ids`,
				body: { user_ids: ['ada'] },
				status: 404,
			},
		]);
		expect(requests).toHaveLength(2);
		expect(parsedOutput(requests[1].toolResults[0].output)).toEqual([
			{ error: 'Appcues API error 404: Not Found: segment seg-vip not found' },
		]);
		expect(answer).toEqual({ output: expect.stringContaining('segment seg-vip not found') });

		expect(await lastRunStatus('appcuesAiAgent01')).toBe('success');
	});

	it('malformed JSON properties come back as a tool error naming the field; nothing is sent; the retry works', async () => {
		const prompt = 'give ada 40 seats';
		model.addScript({
			prompt,
			steps: [
				// A string that is not JSON where the schema asks for an object.
				{
					toolCalls: [
						{
							name: TOOLS.updateProfile,
							arguments: { user_id: 'ada', properties: '{"seats": 40' },
						},
					],
				},
				{
					toolCalls: [
						{ name: TOOLS.updateProfile, arguments: { user_id: 'ada', properties: { seats: 40 } } },
					],
				},
				(request) => ({ text: request.toolResults.map((result) => result.output).join(' then ') }),
			],
		});
		const { status, requests } = await ask(prompt);
		expect(status).toBe(200);
		expect(requests).toHaveLength(3);
		const [first, second] = requests[2].toolResults.map((result) => parsedOutput(result.output));
		expect(first).toEqual([{ error: expect.stringMatching(/^Properties is not valid JSON/) }]);
		expect(second).toEqual([{ user_id: 'ada', status: 200 }]);
		expect(await lastRunStatus('appcuesAiAgent01')).toBe('success');
		// Only the corrected call reached Appcues.
		expect(fake.requests.map(apiCall)).toEqual([
			{ method: 'PATCH', path: `${V2}/users/ada/profile`, body: { seats: 40 }, status: 200 },
		]);
	});

	it("account tools: the model lists them, a call with a wrong argument comes back as the tool's error, and the model fixes it", async () => {
		const prompt = 'create the campaign Spring launch for the Activation objective';
		model.addScript({
			prompt,
			steps: [
				{ toolCalls: [{ name: ACCOUNT_TOOLS.list, arguments: {} }] },
				(request) => {
					const tools = parsedOutput(request.toolResults[0].output) as Array<{
						name: string;
						inputSchema?: { required?: string[] };
					}>;
					const create = tools.find((entry) => entry.name === 'create_campaign');
					// A guess at the objective id, as a model would make one.
					return {
						toolCalls: [
							{
								name: ACCOUNT_TOOLS.call,
								arguments: {
									tool_name: create?.name ?? 'not-listed',
									tool_arguments: { name: 'Spring launch', objective_id: 'activation' },
								},
							},
						],
					};
				},
				(request) => {
					const [failure] = parsedOutput(request.toolResults[1].output) as Array<{
						error?: string;
					}>;
					// The tool's own words tell the model what to fix: look the objective id up.
					if (!failure?.error?.includes('objective_id not found'))
						return { text: `unexpected: ${request.toolResults[1].output}` };
					return {
						toolCalls: [
							{
								name: ACCOUNT_TOOLS.call,
								arguments: { tool_name: 'get_campaign', tool_arguments: { campaign_id: 'c1' } },
							},
						],
					};
				},
				(request) => {
					const [campaign] = parsedOutput(request.toolResults[2].output) as Array<{
						objective: string;
						objective_id: string;
					}>;
					return {
						toolCalls: [
							{
								name: ACCOUNT_TOOLS.call,
								arguments: {
									tool_name: 'create_campaign',
									tool_arguments: { name: 'Spring launch', objective_id: campaign.objective_id },
								},
							},
						],
					};
				},
				(request) => ({ text: `Done: ${request.toolResults[3].output}` }),
			],
		});
		const { status, answer, requests } = await ask(prompt, TOOLS_AGENT_PATH);
		expect(status).toBe(200);
		expect(requests).toHaveLength(5);
		for (const request of requests)
			expect(JSON.stringify(request.body), 'the tools key was sent to the model').not.toContain(
				TOOLS_KEY,
			);

		console.log(
			`Account tools as the model saw them:\n${JSON.stringify(requests[0].tools, null, 1)}`,
		);
		expect(requests[0].tools.map((t) => t.name).sort()).toEqual(
			Object.values(ACCOUNT_TOOLS).sort(),
		);
		expect(tool(requests, ACCOUNT_TOOLS.call).parameters).toMatchObject({
			required: ['tool_name', 'tool_arguments'],
			properties: { tool_name: { type: 'string' } },
		});

		// The listing the model got: every tool with its schema and whether it only reads.
		const listed = parsedOutput(requests[1].toolResults[0].output) as Array<
			Record<string, unknown>
		>;
		expect(listed.find((entry) => entry.name === 'create_campaign')).toMatchObject({
			inputSchema: { required: ['name', 'objective_id'] },
			annotations: { readOnlyHint: false },
		});
		// The tool error came back as text the model could act on...
		expect(parsedOutput(requests[2].toolResults[1].output)).toEqual([
			{ error: 'The account tool create_campaign failed: objective_id not found [item 0]' },
		]);
		// ...and the corrected call went through.
		expect(parsedOutput(requests[4].toolResults[3].output)).toEqual([
			{ text: expect.stringMatching(/^Created campaign c\d+ "Spring launch" as a draft\.$/) },
		]);
		expect(answer).toEqual({ output: expect.stringContaining('Spring launch') });

		const calls = fake.requests.map((request) => ({
			origin: request.origin,
			method: request.method,
			path: request.rawPath,
			body: request.body === '' ? undefined : request.body,
		}));
		expect(calls).toEqual([
			{ origin: 'tools', method: 'GET', path: '/v1/tools', body: undefined },
			{ origin: 'tools', method: 'GET', path: '/v1/tools/create_campaign', body: undefined },
			{
				origin: 'tools',
				method: 'POST',
				path: '/v1/tools/create_campaign',
				body: { arguments: { name: 'Spring launch', objective_id: 'activation' } },
			},
			{ origin: 'tools', method: 'GET', path: '/v1/tools/get_campaign', body: undefined },
			{
				origin: 'tools',
				method: 'POST',
				path: '/v1/tools/get_campaign',
				body: { arguments: { campaign_id: 'c1' } },
			},
			{ origin: 'tools', method: 'GET', path: '/v1/tools/create_campaign', body: undefined },
			{
				origin: 'tools',
				method: 'POST',
				path: '/v1/tools/create_campaign',
				body: { arguments: { name: 'Spring launch', objective_id: 'o1' } },
			},
		]);
		for (const request of fake.requests) {
			expect(request.headers['appcues-api-key']).toBe(TOOLS_KEY);
			expect(request.headers.authorization).toBeUndefined();
		}
		expect(await lastRunStatus(TOOLS_AGENT_ID)).toBe('success');
	});

	describe('MCP Server Trigger', () => {
		const url = () => new URL(`${server.baseUrl}/mcp/appcues`);

		async function connect(token = MCP_TOKEN): Promise<Client> {
			const client = new Client({ name: 'appcues-e2e', version: '1.0.0' });
			await client.connect(
				new StreamableHTTPClientTransport(url(), {
					requestInit: { headers: { Authorization: `Bearer ${token}` } },
				}),
			);
			return client;
		}

		it('refuses a client without the bearer token', async () => {
			const response = await fetch(url(), {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					Accept: 'application/json, text/event-stream',
				},
				body: JSON.stringify({
					jsonrpc: '2.0',
					id: 1,
					method: 'initialize',
					params: {
						protocolVersion: '2025-03-26',
						capabilities: {},
						clientInfo: { name: 'x', version: '1' },
					},
				}),
			});
			expect(response.status).toBe(403);
			await expect(connect('wrong-token')).rejects.toThrow();
		});

		it('lists the Appcues tools and calls one: the fake Appcues receives it', async () => {
			const client = await connect();
			try {
				const { tools } = await client.listTools();
				console.log(`Tools as an MCP client saw them:\n${JSON.stringify(tools, null, 1)}`);
				expect(tools.map((t) => t.name).sort()).toEqual(Object.values(TOOLS).sort());
				const getProfile = tools.find((t) => t.name === TOOLS.getProfile)!;
				expect(getProfile.description).toBe('Get a user profile in Appcues');
				expect(getProfile.inputSchema).toMatchObject({
					type: 'object',
					required: ['user_id'],
					properties: { user_id: { type: 'string' } },
				});

				const result = await client.callTool({
					name: TOOLS.getProfile,
					arguments: { user_id: 'grace' },
				});
				expect(result.isError).toBeFalsy();
				const text = (result.content as Array<{ type: string; text: string }>)
					.map((part) => part.text)
					.join('');
				expect(text).toContain('grace@example.com');
				for (const secret of SECRETS) expect(text).not.toContain(secret);
				expect(fake.requests.map(apiCall)).toEqual([
					{ method: 'GET', path: `${V2}/users/grace/profile`, body: undefined, status: 200 },
				]);

				const failed = await client.callTool({
					name: TOOLS.addToSegment,
					arguments: { segment_id: 'seg-vip', user_ids: 'ada' },
				});
				expect(failed.isError).toBe(true);
				const failure = (failed.content as Array<{ text: string }>)
					.map((part) => part.text)
					.join('');
				console.log(`MCP tool error: ${failure}`);
				expect(failure).toContain('Appcues API error 404: Not Found: segment seg-vip not found');
				for (const secret of SECRETS) expect(failure).not.toContain(secret);
			} finally {
				await client.close();
			}
		});
	});
});

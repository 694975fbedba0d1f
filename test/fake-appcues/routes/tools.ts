/**
 * The account tools service, on the fake's second origin (`fake.toolsUrl`, as mcp.appcues.com is
 * beside api.appcues.com), as Appcues' CLI uses it (`appcues tools list / describe / call`):
 *
 * - `GET /v1/tools?view=summary`: `{"tools": [{name, description, role}]}`;
 * - `GET /v1/tools`: full entries, with `inputSchema` and `annotations` (title, readOnlyHint,
 *   destructiveHint, openWorldHint); any other `view` value gives the full listing too;
 * - `GET /v1/tools/{name}`: one full entry; an unknown tool is a 404 `{"error": "tool_not_found"}`;
 * - `POST /v1/tools/{name}` with `{"arguments": {...}}`: the envelope `{content, data?, isError}`;
 *   bad arguments are a 400 `{"error": "invalid_arguments", "error_description": "..."}`.
 *
 * The key and secret come as base64("key:secret") in the `appcues-api-key` header, with no
 * `Basic` prefix; the account follows from the key (no account id in the path). The tool set is a
 * small one modelled on the tools Appcues' skills call (campaigns, issue spikes, screenshots),
 * one per kind of answer: a `data` list, JSON in text, prose, an image, and a tool error.
 */
import type { FakeAppcues, RecordedRequest } from '../server';
import type { AccountState, FakeAccount } from '../state';
import type { DispatchResult } from './route';

export const TOOLS_API_KEY_HEADER = 'appcues-api-key';

/** A 1x1 PNG, the screenshot tool's image. */
export const SCREENSHOT_PNG_BASE64 =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export interface Campaign {
	id: string;
	name: string;
	status: 'active' | 'draft';
	objective_id: string;
	priority?: number;
	tags?: string[];
}

export interface ToolsState {
	campaigns: Map<string, Campaign>;
	objectives: Map<string, string>;
	nextId: number;
}

const states = new WeakMap<AccountState, ToolsState>();

/** The account's campaigns and objectives (two of each to start with). */
export function toolsState(state: AccountState): ToolsState {
	let tools = states.get(state);
	if (!tools) {
		tools = {
			campaigns: new Map([
				['c1', { id: 'c1', name: 'Launch', status: 'active', objective_id: 'o1' }],
				['c2', { id: 'c2', name: 'Onboard', status: 'draft', objective_id: 'o2' }],
			]),
			objectives: new Map([
				['o1', 'Activation'],
				['o2', 'Retention'],
			]),
			nextId: 3,
		};
		states.set(state, tools);
	}
	return tools;
}

interface JsonSchemaProperty {
	type: string;
	description?: string;
	items?: { type: string };
	enum?: string[];
}

interface ToolInput {
	properties: Record<string, JsonSchemaProperty>;
	required: string[];
}

interface Envelope {
	content: Array<
		{ type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string }
	>;
	data?: Array<Record<string, unknown>>;
	isError: boolean;
}

interface FakeTool {
	name: string;
	title: string;
	description: string;
	role: 'account_readonly' | 'account_write';
	readOnly: boolean;
	destructive?: boolean;
	input: ToolInput;
	run: (args: Record<string, unknown>, tools: ToolsState) => Envelope;
}

const text = (value: string, isError = false): Envelope => ({
	content: [{ type: 'text', text: value }],
	isError,
});

export const FAKE_TOOLS: FakeTool[] = [
	{
		name: 'list_campaigns',
		title: 'List Campaigns',
		description: 'List the campaigns in the account with their status',
		role: 'account_readonly',
		readOnly: true,
		input: { properties: {}, required: [] },
		run: (_args, tools) => {
			const campaigns = [...tools.campaigns.values()];
			return {
				content: [{ type: 'text', text: `${campaigns.length} campaigns` }],
				data: campaigns.map(({ id, name, status }) => ({ type: 'campaign', id, name, status })),
				isError: false,
			};
		},
	},
	{
		name: 'get_campaign',
		title: 'Get Campaign',
		description: "One campaign's brief: name, status and objective",
		role: 'account_readonly',
		readOnly: true,
		input: {
			properties: { campaign_id: { type: 'string', description: 'The campaign id' } },
			required: ['campaign_id'],
		},
		run: (args, tools) => {
			const campaign = tools.campaigns.get(String(args.campaign_id));
			if (!campaign) return text(`campaign ${String(args.campaign_id)} not found`, true);
			return text(
				JSON.stringify({ ...campaign, objective: tools.objectives.get(campaign.objective_id) }),
			);
		},
	},
	{
		name: 'create_campaign',
		title: 'Create Campaign',
		description: 'Create a draft campaign for an objective',
		role: 'account_write',
		readOnly: false,
		destructive: false,
		input: {
			properties: {
				name: { type: 'string', description: 'The campaign name' },
				objective_id: { type: 'string', description: 'The objective it serves' },
				priority: { type: 'integer', description: 'Higher runs first' },
				channel: { type: 'string', enum: ['web', 'mobile'] },
				tags: { type: 'array', items: { type: 'string' } },
			},
			required: ['name', 'objective_id'],
		},
		run: (args, tools) => {
			if (!tools.objectives.has(String(args.objective_id)))
				return text('objective_id not found', true);
			const id = `c${tools.nextId++}`;
			tools.campaigns.set(id, {
				id,
				name: String(args.name),
				status: 'draft',
				objective_id: String(args.objective_id),
				...(args.priority !== undefined ? { priority: args.priority as number } : {}),
				...(args.tags !== undefined ? { tags: args.tags as string[] } : {}),
			});
			return text(`Created campaign ${id} "${String(args.name)}" as a draft.`);
		},
	},
	{
		name: 'list_issue_spikes',
		title: 'List Issue Spikes',
		description: 'Experiences whose error rate spiked against their own history',
		role: 'account_readonly',
		readOnly: true,
		input: { properties: {}, required: [] },
		run: () => text('No issue spikes detected.'),
	},
	{
		name: 'get_experience_screenshot',
		title: 'Get Experience Screenshot',
		description: "A screenshot of an experience's first step",
		role: 'account_readonly',
		readOnly: true,
		input: {
			properties: { experience_id: { type: 'string', description: 'The experience id' } },
			required: ['experience_id'],
		},
		run: (args) => ({
			content: [
				{ type: 'text', text: `Screenshot of step 1 of ${String(args.experience_id)}` },
				{ type: 'image', data: SCREENSHOT_PNG_BASE64, mimeType: 'image/png' },
			],
			isError: false,
		}),
	},
];

function entry(tool: FakeTool) {
	return {
		name: tool.name,
		description: tool.description,
		inputSchema: {
			type: 'object',
			properties: tool.input.properties,
			required: tool.input.required,
		},
		annotations: {
			title: tool.title,
			readOnlyHint: tool.readOnly,
			destructiveHint: tool.destructive ?? !tool.readOnly,
			openWorldHint: false,
		},
		role: tool.role,
	};
}

function summary(tool: FakeTool) {
	return { name: tool.name, description: tool.description, role: tool.role };
}

const answer = (status: number, payload: unknown): DispatchResult => ({ status, payload });
const failure = (status: number, error: string, description?: string): DispatchResult =>
	answer(status, { error, ...(description ? { error_description: description } : {}) });

function accountOf(fake: FakeAppcues, header: unknown): FakeAccount | undefined {
	if (typeof header !== 'string' || !header) return undefined;
	const decoded = Buffer.from(header, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	const [key, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
	return fake.accounts.find((account) => account.apiKey === key && account.apiSecret === secret);
}

/** The first argument that does not fit the tool's schema, as the 400's description. */
function invalidArguments(tool: FakeTool, args: Record<string, unknown>): string | undefined {
	for (const name of tool.input.required) {
		if (args[name] === undefined || args[name] === null || args[name] === '')
			return `${name} is required`;
	}
	for (const [name, value] of Object.entries(args)) {
		const property = tool.input.properties[name];
		if (!property) return `${name} is not an argument of ${tool.name}`;
		const fits =
			property.type === 'string'
				? typeof value === 'string'
				: property.type === 'integer'
					? Number.isInteger(value)
					: property.type === 'array'
						? Array.isArray(value)
						: true;
		if (!fits)
			return `${name} must be ${property.type === 'integer' ? 'an' : 'a'} ${property.type}`;
		if (property.enum && !property.enum.includes(value as string))
			return `${name} must be one of ${property.enum.join(', ')}`;
	}
	return undefined;
}

export function dispatchTools(
	fake: FakeAppcues,
	input: {
		method: string;
		segments: string[];
		query: Record<string, string>;
		body: unknown;
		rawBody: Buffer;
		headers: RecordedRequest['headers'];
		record: RecordedRequest;
		/** Takes a token of the account's rate limit; false when it is spent. */
		allow: (accountId: string) => boolean;
	},
): DispatchResult {
	const { method, segments, query, body, rawBody, headers, record, allow } = input;
	if (segments[0] !== 'v1' || segments[1] !== 'tools' || segments.length > 3)
		return failure(404, 'not_found');
	const account = accountOf(fake, headers[TOOLS_API_KEY_HEADER]);
	if (!account) {
		return failure(
			401,
			'unauthorized',
			headers[TOOLS_API_KEY_HEADER]
				? 'invalid API key or secret'
				: `the ${TOOLS_API_KEY_HEADER} header is required`,
		);
	}
	record.accountId = account.accountId;
	if (!allow(account.accountId)) return failure(429, 'rate_limited');

	const name = segments[2];
	if (name === undefined) {
		if (method !== 'GET') return failure(405, 'method_not_allowed');
		const tools = FAKE_TOOLS.map(query.view === 'summary' ? summary : entry);
		return answer(200, { tools });
	}
	const tool = FAKE_TOOLS.find((candidate) => candidate.name === name);
	if (!tool) return answer(404, { error: 'tool_not_found', tool: name });
	if (method === 'GET') return answer(200, entry(tool));
	if (method !== 'POST') return failure(405, 'method_not_allowed');

	if (rawBody.length && (typeof body !== 'object' || body === null))
		return failure(400, 'invalid_request', 'the body must be a JSON object');
	const args = (body as { arguments?: unknown } | null)?.arguments ?? {};
	if (typeof args !== 'object' || args === null || Array.isArray(args))
		return failure(400, 'invalid_arguments', 'arguments must be a JSON object');
	const invalid = invalidArguments(tool, args as Record<string, unknown>);
	if (invalid) return failure(400, 'invalid_arguments', invalid);
	return answer(
		200,
		tool.run(args as Record<string, unknown>, toolsState(fake.state(account.accountId))),
	);
}

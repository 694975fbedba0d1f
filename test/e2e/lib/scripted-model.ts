/**
 * A scripted OpenAI-compatible model for the AI e2e tests: a real HTTP server on 127.0.0.1 that
 * answers `POST <base>/responses` (the Responses API, which n8n's OpenAI Chat Model node 1.3 uses
 * by default) and `POST <base>/chat/completions` from a script instead of a model.
 *
 * A script is chosen by the first user message of the conversation (the agent's prompt). Its
 * steps are played in order: step N answers the model request that follows N rounds of tool
 * calls, so step 0 usually asks for a tool call and step 1 writes the final answer from the tool
 * results it got. Every request is recorded in the form both APIs share: the tools offered (name,
 * description, JSON schema) and the tool results sent back, so tests can assert on what n8n sent.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OfferedTool {
	name: string;
	description: string;
	/** The JSON schema of the tool's arguments. */
	parameters: Record<string, unknown>;
}

export interface ToolResult {
	callId: string;
	/** The tool the call went to (looked up from the earlier tool call with the same id). */
	name?: string;
	arguments?: Record<string, unknown>;
	/** The text n8n sent back as the tool's output. */
	output: string;
}

export interface ModelRequest {
	api: 'responses' | 'chat';
	path: string;
	/** Value of the Authorization header. */
	authorization?: string;
	model?: string;
	stream: boolean;
	/** The system message, if any. */
	system?: string;
	/** The first user message: the prompt the script was chosen by. */
	prompt: string;
	tools: OfferedTool[];
	/** How many rounds of tool calls came before this request. */
	round: number;
	/** Results of every tool call so far, oldest first. */
	toolResults: ToolResult[];
	body: Record<string, unknown>;
}

export interface ToolCall {
	name: string;
	arguments: Record<string, unknown>;
}

/** What one step answers: tool calls, or the final text. */
export type ScriptReply = { toolCalls: ToolCall[] } | { text: string };
export type ScriptStep = ScriptReply | ((request: ModelRequest) => ScriptReply);

export interface Script {
	/** Picks the conversation by its prompt (a substring or a pattern). */
	prompt: string | RegExp;
	steps: ScriptStep[];
}

export class ScriptedModel {
	readonly requests: ModelRequest[] = [];
	/** Requests the server could not answer (no script, script exhausted, bad body). */
	readonly failures: string[] = [];
	private server?: Server;
	private port = 0;
	private scripts: Script[] = [];

	constructor(scripts: Script[] = []) {
		this.scripts = [...scripts];
	}

	/** The base URL to put in n8n's OpenAI credential (`url`). */
	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}/v1`;
	}

	/** Adds scripts; a later script with a matching prompt wins. */
	addScript(...scripts: Script[]): void {
		this.scripts = [...scripts, ...this.scripts];
	}

	/** The recorded requests of the conversation whose prompt matches. */
	conversation(prompt: string | RegExp): ModelRequest[] {
		return this.requests.filter((request) => matches(prompt, request.prompt));
	}

	async start(): Promise<this> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(0, '127.0.0.1', () => resolve());
		});
		this.port = (this.server.address() as AddressInfo).port;
		return this;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = (req.url ?? '').split('?')[0];
		try {
			if (req.method === 'GET' && path.endsWith('/models')) {
				return send(res, 200, {
					object: 'list',
					data: [{ id: 'fake-model', object: 'model', owned_by: 'scripted' }],
				});
			}
			const api =
				req.method === 'POST' && path.endsWith('/responses')
					? 'responses'
					: req.method === 'POST' && path.endsWith('/chat/completions')
						? 'chat'
						: undefined;
			if (!api)
				return send(res, 404, {
					error: { message: `scripted model: no route ${req.method} ${path}` },
				});
			const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
			const request = api === 'responses' ? readResponsesRequest(body) : readChatRequest(body);
			const recorded: ModelRequest = {
				api,
				path,
				authorization: req.headers.authorization,
				model: typeof body.model === 'string' ? body.model : undefined,
				stream: body.stream === true,
				...request,
				body,
			};
			this.requests.push(recorded);
			const reply = this.replyTo(recorded);
			if (recorded.stream) return sendStream(res, api, reply);
			return send(res, 200, api === 'responses' ? responsesBody(reply) : chatBody(reply));
		} catch (error) {
			const message = `scripted model: ${(error as Error).message}`;
			this.failures.push(message);
			return send(res, 400, { error: { message, type: 'invalid_request_error' } });
		}
	}

	private replyTo(request: ModelRequest): ScriptReply {
		const script = this.scripts.find((candidate) => matches(candidate.prompt, request.prompt));
		if (!script) throw new Error(`no script for the prompt "${request.prompt}"`);
		const step = script.steps[request.round];
		if (!step) throw new Error(`the script for "${request.prompt}" has no step ${request.round}`);
		return typeof step === 'function' ? step(request) : step;
	}
}

function matches(pattern: string | RegExp, text: string): boolean {
	return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function send(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json',
		'Content-Length': Buffer.byteLength(text),
	});
	res.end(text);
}

/** Text of a message's content: a string, or the text parts of a content list. */
function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.map((part) =>
			part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
				? (part as { text: string }).text
				: '',
		)
		.join('');
}

function parseArguments(text: unknown): Record<string, unknown> | undefined {
	if (typeof text !== 'string') return undefined;
	try {
		return JSON.parse(text) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

type Parsed = Pick<ModelRequest, 'system' | 'prompt' | 'tools' | 'round' | 'toolResults'>;

/** Responses API: `input` holds messages, `function_call` and `function_call_output` items. */
function readResponsesRequest(body: Record<string, unknown>): Parsed {
	const input = Array.isArray(body.input)
		? (body.input as Array<Record<string, unknown>>)
		: [{ role: 'user', content: body.input }];
	const calls = new Map<string, { name: string; arguments?: Record<string, unknown> }>();
	const parsed: Parsed = { prompt: '', tools: [], round: 0, toolResults: [] };
	let previous = '';
	for (const item of input) {
		const type = (item.type as string | undefined) ?? 'message';
		if (type === 'message' && (item.role === 'system' || item.role === 'developer'))
			parsed.system ??= contentText(item.content);
		if (type === 'message' && item.role === 'user' && !parsed.prompt)
			parsed.prompt = contentText(item.content);
		if (type === 'function_call') {
			// Calls in a row belong to one turn of the model.
			if (previous !== 'function_call') parsed.round += 1;
			calls.set(String(item.call_id), {
				name: String(item.name),
				arguments: parseArguments(item.arguments),
			});
		}
		if (type === 'function_call_output') {
			const call = calls.get(String(item.call_id));
			parsed.toolResults.push({
				callId: String(item.call_id),
				name: call?.name,
				arguments: call?.arguments,
				output: contentText(item.output),
			});
		}
		previous = type;
	}
	for (const tool of (body.tools as Array<Record<string, unknown>> | undefined) ?? []) {
		if (tool.type !== 'function') continue;
		parsed.tools.push({
			name: String(tool.name),
			description: String(tool.description ?? ''),
			parameters: (tool.parameters as Record<string, unknown>) ?? {},
		});
	}
	return parsed;
}

/** Chat Completions: `messages` with assistant `tool_calls` and `tool` messages. */
function readChatRequest(body: Record<string, unknown>): Parsed {
	const messages = (body.messages as Array<Record<string, unknown>> | undefined) ?? [];
	const calls = new Map<string, { name: string; arguments?: Record<string, unknown> }>();
	const parsed: Parsed = { prompt: '', tools: [], round: 0, toolResults: [] };
	for (const message of messages) {
		if (message.role === 'system' || message.role === 'developer')
			parsed.system ??= contentText(message.content);
		if (message.role === 'user' && !parsed.prompt) parsed.prompt = contentText(message.content);
		const toolCalls = message.tool_calls as
			Array<{ id: string; function: { name: string; arguments: string } }> | undefined;
		if (message.role === 'assistant' && toolCalls?.length) {
			parsed.round += 1;
			for (const call of toolCalls)
				calls.set(call.id, {
					name: call.function.name,
					arguments: parseArguments(call.function.arguments),
				});
		}
		if (message.role === 'tool') {
			const id = String(message.tool_call_id);
			const call = calls.get(id);
			parsed.toolResults.push({
				callId: id,
				name: call?.name,
				arguments: call?.arguments,
				output: contentText(message.content),
			});
		}
	}
	for (const tool of (body.tools as
		Array<{ type: string; function: Record<string, unknown> }> | undefined) ?? []) {
		if (tool.type !== 'function') continue;
		parsed.tools.push({
			name: String(tool.function.name),
			description: String(tool.function.description ?? ''),
			parameters: (tool.function.parameters as Record<string, unknown>) ?? {},
		});
	}
	return parsed;
}

const USAGE_RESPONSES = {
	input_tokens: 10,
	output_tokens: 5,
	total_tokens: 15,
	input_tokens_details: { cached_tokens: 0 },
	output_tokens_details: { reasoning_tokens: 0 },
};
const USAGE_CHAT = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '')}`;

function responsesOutput(reply: ScriptReply): Array<Record<string, unknown>> {
	if ('text' in reply) {
		return [
			{
				type: 'message',
				id: newId('msg'),
				role: 'assistant',
				status: 'completed',
				content: [{ type: 'output_text', text: reply.text, annotations: [] }],
			},
		];
	}
	return reply.toolCalls.map((call) => ({
		type: 'function_call',
		id: newId('fc'),
		call_id: newId('call'),
		name: call.name,
		arguments: JSON.stringify(call.arguments),
		status: 'completed',
	}));
}

function responsesBody(reply: ScriptReply): Record<string, unknown> {
	return {
		id: newId('resp'),
		object: 'response',
		created_at: Math.floor(Date.now() / 1000),
		status: 'completed',
		model: 'fake-model',
		output: responsesOutput(reply),
		parallel_tool_calls: true,
		tool_choice: 'auto',
		tools: [],
		usage: USAGE_RESPONSES,
	};
}

function chatMessage(reply: ScriptReply): Record<string, unknown> {
	if ('text' in reply) return { role: 'assistant', content: reply.text };
	return {
		role: 'assistant',
		content: null,
		tool_calls: reply.toolCalls.map((call) => ({
			id: newId('call'),
			type: 'function',
			function: { name: call.name, arguments: JSON.stringify(call.arguments) },
		})),
	};
}

function chatBody(reply: ScriptReply): Record<string, unknown> {
	return {
		id: newId('chatcmpl'),
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: 'fake-model',
		choices: [
			{
				index: 0,
				message: chatMessage(reply),
				finish_reason: 'text' in reply ? 'stop' : 'tool_calls',
			},
		],
		usage: USAGE_CHAT,
	};
}

/** Streaming answers (a Chat Trigger or a streaming Webhook): the whole reply in one chunk. */
function sendStream(res: ServerResponse, api: 'responses' | 'chat', reply: ScriptReply): void {
	res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
	const event = (data: unknown, name?: string) =>
		res.write(`${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
	if (api === 'responses') {
		const response = responsesBody(reply);
		event(
			{ type: 'response.created', response: { ...response, status: 'in_progress', output: [] } },
			'response.created',
		);
		event({ type: 'response.completed', response }, 'response.completed');
		res.end();
		return;
	}
	const message = chatMessage(reply);
	const delta =
		'text' in reply
			? { role: 'assistant', content: reply.text }
			: {
					role: 'assistant',
					tool_calls: (message.tool_calls as Array<Record<string, unknown>>).map((call, index) => ({
						index,
						...call,
					})),
				};
	const base = {
		id: newId('chatcmpl'),
		object: 'chat.completion.chunk',
		created: Math.floor(Date.now() / 1000),
		model: 'fake-model',
	};
	event({ ...base, choices: [{ index: 0, delta, finish_reason: null }] });
	event({
		...base,
		choices: [{ index: 0, delta: {}, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
	});
	event({ ...base, choices: [], usage: USAGE_CHAT });
	res.write('data: [DONE]\n\n');
	res.end();
}

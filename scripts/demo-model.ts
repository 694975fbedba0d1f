/**
 * The scripted demo model of the dev sandbox: so that the AI Agent example runs in `npm run dev`
 * with no OpenAI account. It is the OpenAI-compatible scripted model of the end-to-end tests
 * (test/e2e/lib/scripted-model.ts, a local HTTP server speaking the Responses API and Chat
 * Completions) with a few conversations written for the demo data. It is not a language model:
 * it recognises the prompts in `DEMO_PROMPTS` (loosely: other users, plans and segments work too),
 * calls the Appcues tools a real model would call, and writes its answer from what the tools
 * returned. Any other prompt gets an answer saying what it understands.
 *
 * n8n reaches it through an OpenAI credential whose Base URL points here, named
 * `DEMO_MODEL_CREDENTIAL.name` so nobody takes it for OpenAI.
 */
import { type ModelRequest, type Script, ScriptedModel } from '../test/e2e/lib/scripted-model';

/** The OpenAI credential of the AI Agent example (its id is fixed in examples/ai-agent.json). */
export const DEMO_MODEL_CREDENTIAL = {
	id: 'openAiAccount001',
	name: 'Scripted demo model (npm run dev, not OpenAI)',
} as const;
export const DEMO_MODEL_API_KEY = 'sk-scripted-demo-model';

/** What to send the AI Agent example in the sandbox, and what it answers on the demo data. */
export const DEMO_PROMPTS = [
	{
		prompt: 'What segments exist?',
		answer: 'The segments are: Power Users (3 users), Trial Users (1 user), Admins (2 users).',
	},
	{
		prompt: 'Set the plan of ada to pro',
		answer: 'Done: ada now has the plan "pro".',
	},
	{
		prompt: 'Add grace to the segment Trial Users',
		answer: 'Done: grace was added to Trial Users (seg-trial).',
	},
] as const;

/** Tool names as n8n derives them from the tool nodes' names in examples/ai-agent.json. */
const TOOLS = {
	getProfile: 'Get_user_profile',
	updateProfile: 'Update_user_profile',
	listSegments: 'List_segments',
	addToSegment: 'Add_users_to_segment',
} as const;

interface Segment {
	id: string;
	name: string;
	user_count?: number;
}

/** A tool's result as the model gets it: the output items, or `[{"error": ...}]`. */
function toolOutput(request: ModelRequest, index: number): unknown {
	const result = request.toolResults[index];
	try {
		return JSON.parse(result?.output ?? 'null') as unknown;
	} catch {
		return result?.output;
	}
}

function toolError(output: unknown): string | undefined {
	const first = Array.isArray(output) ? (output[0] as { error?: unknown } | undefined) : undefined;
	return typeof first?.error === 'string' ? first.error : undefined;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The prompt's regular-expression groups (the script was chosen by the same expression). */
function groups(request: ModelRequest, pattern: RegExp): string[] {
	return pattern.exec(request.prompt)?.slice(1) ?? [];
}

const SET_PLAN = /\bplan\s+of\s+(?:user\s+)?([\w.@-]+)\s+to\s+([\w-]+)/i;
const ADD_TO_SEGMENT = /\badd\s+(?:user\s+)?([\w.@-]+)\s+to\s+(?:the\s+)?segment\s+(.+?)[.!?]*$/i;
const PROFILE =
	/\b(?:who\s+is|profile\s+of|show\s+(?:me\s+)?(?:user\s+)?)\s*(?:user\s+)?([\w.@-]+)/i;
const SEGMENTS = /\bsegments?\b/i;

export function demoScripts(): Script[] {
	return [
		{
			prompt: SET_PLAN,
			steps: [
				(request) => {
					const [user, plan] = groups(request, SET_PLAN);
					return {
						toolCalls: [
							{ name: TOOLS.updateProfile, arguments: { user_id: user, properties: { plan } } },
						],
					};
				},
				(request) => {
					const [user, plan] = groups(request, SET_PLAN);
					const error = toolError(toolOutput(request, 0));
					return {
						text: error
							? `Appcues refused the change: ${error}`
							: `Done: ${user} now has the plan "${plan}".`,
					};
				},
			],
		},
		{
			prompt: ADD_TO_SEGMENT,
			steps: [
				{ toolCalls: [{ name: TOOLS.listSegments, arguments: {} }] },
				(request) => {
					const [user, name] = groups(request, ADD_TO_SEGMENT);
					const segments = toolOutput(request, 0) as Segment[];
					const segment = Array.isArray(segments)
						? segments.find((s) => s.name.toLowerCase() === name.toLowerCase())
						: undefined;
					if (!segment)
						return {
							text: `There is no segment named "${name}". The segments are: ${
								Array.isArray(segments) ? segments.map((s) => s.name).join(', ') : 'unknown'
							}.`,
						};
					return {
						toolCalls: [
							{
								name: TOOLS.addToSegment,
								arguments: { segment_id: segment.id, user_ids: user },
							},
						],
					};
				},
				(request) => {
					const [user, name] = groups(request, ADD_TO_SEGMENT);
					const segments = toolOutput(request, 0) as Segment[];
					const segment = segments.find((s) => s.name.toLowerCase() === name.toLowerCase())!;
					const error = toolError(toolOutput(request, 1));
					return {
						text: error
							? `Appcues refused the change: ${error}`
							: `Done: ${user} was added to ${segment.name} (${segment.id}).`,
					};
				},
			],
		},
		{
			prompt: PROFILE,
			steps: [
				(request) => ({
					toolCalls: [
						{ name: TOOLS.getProfile, arguments: { user_id: groups(request, PROFILE)[0] } },
					],
				}),
				(request) => {
					const output = toolOutput(request, 0);
					const error = toolError(output);
					return {
						text: error
							? `Appcues answered: ${error}`
							: `The profile of ${groups(request, PROFILE)[0]}: ${JSON.stringify(
									Array.isArray(output) ? output[0] : output,
								)}`,
					};
				},
			],
		},
		{
			prompt: SEGMENTS,
			steps: [
				{ toolCalls: [{ name: TOOLS.listSegments, arguments: {} }] },
				(request) => {
					const segments = toolOutput(request, 0);
					const error = toolError(segments);
					if (error || !Array.isArray(segments))
						return { text: `Appcues answered: ${error ?? JSON.stringify(segments)}` };
					return {
						text: `The segments are: ${(segments as Segment[])
							.map((s) => `${s.name} (${plural(s.user_count ?? 0, 'user')})`)
							.join(', ')}.`,
					};
				},
			],
		},
		{
			prompt: /[\s\S]*/,
			steps: [
				{
					text: `I am the scripted demo model of npm run dev, not a real model: I only understand prompts like ${DEMO_PROMPTS.map(
						(p) => `"${p.prompt}"`,
					).join(
						', ',
					)} or "Who is katherine?". Switch the OpenAI Chat Model to a real OpenAI credential for anything else.`,
				},
			],
		},
	];
}

/** Starts the scripted demo model on a free port of 127.0.0.1. */
export async function startDemoModel(): Promise<ScriptedModel> {
	return new ScriptedModel(demoScripts()).start();
}

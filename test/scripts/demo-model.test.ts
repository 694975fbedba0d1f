import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_PROMPTS, startDemoModel } from '../../scripts/demo-model';
import type { ScriptedModel } from '../e2e/lib/scripted-model';

/** The demo data's segments as the List segments tool returns them (test/fake-appcues/seed.ts). */
const SEGMENTS = [
	{ id: 'seg-power-users', name: 'Power Users', description: '', user_count: 3 },
	{ id: 'seg-trial', name: 'Trial Users', description: '', user_count: 1 },
	{ id: 'seg-admins', name: 'Admins', description: '', user_count: 2 },
];

interface ToolCall {
	id: string;
	function: { name: string; arguments: string };
}

/**
 * One conversation over Chat Completions, as n8n's agent holds it: each tool call the model asks
 * for is answered by `tools` and sent back, until the model answers with text.
 */
async function converse(
	model: ScriptedModel,
	prompt: string,
	tools: Record<string, (args: Record<string, unknown>) => unknown>,
): Promise<{ answer: string; calls: Array<{ name: string; arguments: unknown }> }> {
	const messages: Array<Record<string, unknown>> = [{ role: 'user', content: prompt }];
	const calls: Array<{ name: string; arguments: unknown }> = [];
	for (let round = 0; round < 5; round++) {
		const response = await fetch(`${model.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'gpt-4.1-mini', messages }),
		});
		expect(response.status).toBe(200);
		const { choices } = (await response.json()) as {
			choices: Array<{ message: { content: string | null; tool_calls?: ToolCall[] } }>;
		};
		const message = choices[0].message;
		if (!message.tool_calls) return { answer: message.content ?? '', calls };
		messages.push({ role: 'assistant', content: null, tool_calls: message.tool_calls });
		for (const call of message.tool_calls) {
			const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
			calls.push({ name: call.function.name, arguments: args });
			const tool = tools[call.function.name];
			if (!tool) throw new Error(`the model called an unknown tool ${call.function.name}`);
			messages.push({
				role: 'tool',
				tool_call_id: call.id,
				content: JSON.stringify(tool(args)),
			});
		}
	}
	throw new Error('the model never answered with text');
}

describe('the scripted demo model of the dev sandbox', () => {
	let model: ScriptedModel;
	beforeAll(async () => {
		model = await startDemoModel();
	});
	afterAll(async () => {
		await model?.stop();
	});

	it('answers the prompts the sandbox suggests, calling the Appcues tools a model would call', async () => {
		const tools = {
			List_segments: () => SEGMENTS,
			Update_user_profile: (args: Record<string, unknown>) => [
				{ user_id: args.user_id, status: 200 },
			],
			Add_users_to_segment: (args: Record<string, unknown>) => [
				{ segment_id: args.segment_id, added: 1, requests: 1 },
			],
		};
		const [segments, plan, addToSegment] = DEMO_PROMPTS;

		const listed = await converse(model, segments.prompt, tools);
		expect(listed).toEqual({
			answer: segments.answer,
			calls: [{ name: 'List_segments', arguments: {} }],
		});

		const planned = await converse(model, plan.prompt, tools);
		expect(planned).toEqual({
			answer: plan.answer,
			calls: [
				{ name: 'Update_user_profile', arguments: { user_id: 'ada', properties: { plan: 'pro' } } },
			],
		});

		const added = await converse(model, addToSegment.prompt, tools);
		expect(added).toEqual({
			answer: addToSegment.answer,
			calls: [
				{ name: 'List_segments', arguments: {} },
				{ name: 'Add_users_to_segment', arguments: { segment_id: 'seg-trial', user_ids: 'grace' } },
			],
		});
	});

	it('passes a tool error on to the user, and names an unknown segment instead of guessing', async () => {
		const failing = await converse(model, 'Set the plan of user alan to enterprise', {
			Update_user_profile: () => [{ error: 'Appcues API error 404: Not Found' }],
		});
		expect(failing.answer).toBe('Appcues refused the change: Appcues API error 404: Not Found');

		const unknown = await converse(model, 'add ada to segment VIP', {
			List_segments: () => SEGMENTS,
		});
		expect(unknown).toEqual({
			answer:
				'There is no segment named "VIP". The segments are: Power Users, Trial Users, Admins.',
			calls: [{ name: 'List_segments', arguments: {} }],
		});
	});

	it('says what it understands when a prompt matches no script, and calls no tool', async () => {
		const { answer, calls } = await converse(model, 'Write a poem about onboarding', {});
		expect(calls).toEqual([]);
		expect(answer).toMatch(/^I am the scripted demo model of npm run dev, not a real model/);
		for (const { prompt } of DEMO_PROMPTS) expect(answer).toContain(prompt);
	});
});

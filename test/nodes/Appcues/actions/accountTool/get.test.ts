import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('account tool get', () => {
	const t = useFakeAppcues();

	it("gets one tool's entry with its input schema, as `appcues tools describe`", async () => {
		const result = await t.run({
			resource: 'accountTool',
			operation: 'get',
			toolName: { __rl: true, mode: 'list', value: 'get_campaign' },
		});
		expect(result.items).toEqual([
			{
				json: {
					name: 'get_campaign',
					description: "One campaign's brief: name, status and objective",
					inputSchema: {
						type: 'object',
						properties: { campaign_id: { type: 'string', description: 'The campaign id' } },
						required: ['campaign_id'],
					},
					annotations: {
						title: 'Get Campaign',
						readOnlyHint: true,
						destructiveHint: false,
						openWorldHint: false,
					},
					role: 'account_readonly',
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(t.fake.requests.map((request) => [request.origin, request.rawPath])).toEqual([
			['tools', '/v1/tools/get_campaign'],
		]);
	});

	it('encodes the name as one path segment; an unknown tool is an error about the Tool field', async () => {
		const result = await t.run(
			{
				resource: 'accountTool',
				operation: 'get',
				toolName: { __rl: true, mode: 'name', value: 'a/../b ?' },
			},
			{ continueOnFail: true },
		);
		expect(t.fake.requests.map((request) => request.rawPath)).toEqual([
			'/v1/tools/a%2F..%2Fb%20%3F',
		]);
		expect(result.items[0].json.error).toBe('There is no account tool named "a/../b ?" [item 0]');
	});

	it('an empty Tool is refused before anything is sent', async () => {
		const result = await t.run({
			resource: 'accountTool',
			operation: 'get',
			toolName: { __rl: true, mode: 'name', value: '={{ "" }}' },
		});
		expect(result.error?.message).toBe('Tool is empty [item 0]');
		expect(t.fake.requests).toHaveLength(0);
	});
});

import type { INodeParameters } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';
import { SCREENSHOT_PNG_BASE64, toolsState } from '../../../../fake-appcues/routes/tools';
import { SECRETS } from '../../../../support/fixtures';
import { credentialsFor, useFakeAppcues } from '../../../../support/helpers';
import { runResourceMapping } from '../../../../support/run-node';

/** What Appcues' CLI sends in the `appcues-api-key` header: base64("key:secret"), no prefix. */
const TOOLS_KEY = Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString(
	'base64',
);

const byName = (value: string) => ({ __rl: true, mode: 'name', value });

describe('account tool call', () => {
	const t = useFakeAppcues();

	const toolRequests = () =>
		t.fake.requests.map((request) => ({
			origin: request.origin,
			method: request.method,
			path: request.rawPath,
			...(request.body !== '' ? { body: request.body } : {}),
		}));

	const callJson = (tool: string, args: unknown, extra: Parameters<typeof t.run>[1] = {}) =>
		t.run(
			{
				resource: 'accountTool',
				operation: 'call',
				toolName: byName(tool),
				argumentsInput: 'json',
				argumentsJson: typeof args === 'string' ? args : JSON.stringify(args),
			},
			extra,
		);

	/** The Arguments parameter as the editor stores it, its fields loaded from the fake's schema. */
	async function mapped(tool: string, value: INodeParameters): Promise<INodeParameters> {
		const { fields } = await runResourceMapping({
			method: 'getAccountToolArguments',
			parameters: { resource: 'accountTool', operation: 'call', toolName: byName(tool) },
			credentials: credentialsFor(t.fake),
		});
		t.fake.reset();
		return {
			mappingMode: 'defineBelow',
			value,
			matchingColumns: [],
			schema: fields as unknown as INodeParameters[],
			attemptToConvertTypes: false,
			convertFieldsToString: false,
		};
	}

	it('a data list gives one item per entry; the tool is read first, then called with the key in appcues-api-key', async () => {
		const result = await t.run({
			resource: 'accountTool',
			operation: 'call',
			toolName: { __rl: true, mode: 'list', value: 'list_campaigns' },
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: { type: 'campaign', id: 'c1', name: 'Launch', status: 'active' },
				pairedItem: { item: 0 },
			},
			{
				json: { type: 'campaign', id: 'c2', name: 'Onboard', status: 'draft' },
				pairedItem: { item: 0 },
			},
		]);
		expect(toolRequests()).toEqual([
			{ origin: 'tools', method: 'GET', path: '/v1/tools/list_campaigns' },
			{
				origin: 'tools',
				method: 'POST',
				path: '/v1/tools/list_campaigns',
				body: { arguments: {} },
			},
		]);
		for (const request of t.fake.requests) {
			expect(request.headers['appcues-api-key']).toBe(TOOLS_KEY);
			expect(request.headers.authorization).toBeUndefined();
			expect(request.headers['content-type'] ?? 'application/json').toMatch(/json/);
		}
		// A read-only tool: no "changes data" hint.
		expect(result.hints).toEqual([]);
	});

	it('a single text that is JSON gives that JSON; other text gives { text }', async () => {
		const campaign = await callJson('get_campaign', { campaign_id: 'c2' });
		expect(campaign.items.map((item) => item.json)).toEqual([
			{ id: 'c2', name: 'Onboard', status: 'draft', objective_id: 'o2', objective: 'Retention' },
		]);
		const prose = await callJson('list_issue_spikes', {});
		expect(prose.items).toEqual([
			{ json: { text: 'No issue spikes detected.' }, pairedItem: { item: 0 } },
		]);
	});

	it('an image becomes binary PNG data on the item, beside its text', async () => {
		const result = await callJson('get_experience_screenshot', { experience_id: 'flow-7' });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.json).toEqual({ text: 'Screenshot of step 1 of flow-7' });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.binary?.data).toMatchObject({
			mimeType: 'image/png',
			fileName: 'get_experience_screenshot.png',
			fileExtension: 'png',
		});
		expect(Buffer.from(item.binary!.data.data, 'base64')).toEqual(
			Buffer.from(SCREENSHOT_PNG_BASE64, 'base64'),
		);
	});

	it('a writing tool called with fields: values typed by the schema, empty optional fields left out, and marked as changing data', async () => {
		const args = await mapped('create_campaign', {
			name: '={{ $json.title }}',
			objective_id: 'o1',
			priority: '={{ $json.priority }}',
			channel: null,
			tags: '["beta", "q3"]',
		});
		const result = await t.run(
			{
				resource: 'accountTool',
				operation: 'call',
				toolName: byName('create_campaign'),
				toolArguments: args,
			},
			{ items: [{ title: 'Feature X', priority: '2' }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([
			{ text: 'Created campaign c3 "Feature X" as a draft.' },
		]);
		expect(toolRequests()[1]).toEqual({
			origin: 'tools',
			method: 'POST',
			path: '/v1/tools/create_campaign',
			body: {
				arguments: { name: 'Feature X', objective_id: 'o1', priority: 2, tags: ['beta', 'q3'] },
			},
		});
		expect(toolsState(t.fake.state()).campaigns.get('c3')).toMatchObject({ priority: 2 });
		expect(result.hints).toEqual([
			{
				message:
					'Create Campaign (create_campaign) changes data in Appcues: it is not marked read-only.',
				location: 'outputPane',
			},
		]);
	});

	it('a required field left empty stops every item before any request, naming the item and the field', async () => {
		const result = await t.run(
			{
				resource: 'accountTool',
				operation: 'call',
				toolName: byName('create_campaign'),
				toolArguments: await mapped('create_campaign', {
					name: '={{ $json.name }}',
					objective_id: 'o1',
				}),
			},
			{ items: [{ name: 'A' }, { name: ' ' }, { name: 'C' }] },
		);
		expect(result.error?.message).toBe(
			'The account tool create_campaign needs the argument "name" [item 1]',
		);
		expect(t.fake.requests).toHaveLength(0);
	});

	it('an optional field left blank is not sent (not even as 0); a value that does not fit its type is refused before any request', async () => {
		const blank = await t.run({
			resource: 'accountTool',
			operation: 'call',
			toolName: byName('create_campaign'),
			toolArguments: await mapped('create_campaign', {
				name: 'B',
				objective_id: 'o2',
				// n8n itself would read a blank number as 0.
				priority: '',
				channel: null,
			}),
		});
		expect(blank.error).toBeUndefined();
		expect(toolRequests()[1].body).toEqual({ arguments: { name: 'B', objective_id: 'o2' } });

		const args = await mapped('create_campaign', {
			name: 'C',
			objective_id: 'o2',
			// A literal would be flagged by n8n before the run; an expression's value is checked here.
			priority: '={{ "high" }}',
		});
		const wrongType = await t.run({
			resource: 'accountTool',
			operation: 'call',
			toolName: byName('create_campaign'),
			toolArguments: args,
		});
		expect(wrongType.error?.message).toBe(
			'The argument "priority" of the account tool create_campaign is not valid [item 0]',
		);
		expect(wrongType.error?.description).toBe("'priority' expects a number but we got 'high'");
		expect(t.fake.requests).toHaveLength(0);

		// n8n's own conversion would send null, 0 and 1 for these.
		for (const [value, shown] of [
			['={{ "Infinity" }}', "'Infinity'"],
			['={{ [] }}', '[]'],
			['={{ true }}', 'true'],
		]) {
			const odd = await t.run({
				resource: 'accountTool',
				operation: 'call',
				toolName: byName('create_campaign'),
				toolArguments: { ...args, value: { ...(args.value as object), priority: value } },
			});
			expect(odd.error?.description).toBe(`'priority' expects a number but we got ${shown}`);
		}
		expect(t.fake.requests).toHaveLength(0);
	});

	it('with JSON arguments the required ones are checked against the live schema before the call', async () => {
		const result = await callJson('create_campaign', { name: 'X' });
		expect(result.error?.message).toBe(
			'The account tool create_campaign needs the argument "objective_id" [item 0]',
		);
		expect(toolRequests()).toEqual([
			{ origin: 'tools', method: 'GET', path: '/v1/tools/create_campaign' },
		]);
	});

	it('a required argument missing on a later item stops the node before any call, naming that item', async () => {
		const run = (extra: Parameters<typeof t.run>[1]) =>
			t.run(
				{
					resource: 'accountTool',
					operation: 'call',
					toolName: byName('create_campaign'),
					argumentsInput: 'json',
					argumentsJson: '={{ JSON.stringify($json.args) }}',
				},
				{
					items: [
						{ args: { name: 'A', objective_id: 'o1' } },
						{ args: { name: 'B' } },
						{ args: { name: 'C', objective_id: 'o1' } },
					],
					...extra,
				},
			);
		const stopped = await run({});
		expect(stopped.error?.message).toBe(
			'The account tool create_campaign needs the argument "objective_id" [item 1]',
		);
		expect(toolRequests()).toEqual([
			{ origin: 'tools', method: 'GET', path: '/v1/tools/create_campaign' },
		]);

		t.fake.reset();
		const continued = await run({ continueOnFail: true });
		expect(continued.items.map((item) => [item.json.error ?? 'called', item.pairedItem])).toEqual([
			['called', { item: 0 }],
			['The account tool create_campaign needs the argument "objective_id" [item 1]', { item: 1 }],
			['called', { item: 2 }],
		]);
		expect(toolRequests().map((request) => request.method)).toEqual(['GET', 'POST', 'POST']);
	});

	it('a tool that cannot be read is an error of each item that calls it, naming that item', async () => {
		const result = await callJson('nope', {}, { continueOnFail: true, items: [{}, {}, {}] });
		expect(result.items.map((item) => [item.json.error, item.pairedItem])).toEqual(
			[0, 1, 2].map((item) => [`There is no account tool named "nope" [item ${item}]`, { item }]),
		);
		expect(toolRequests()).toEqual([{ origin: 'tools', method: 'GET', path: '/v1/tools/nope' }]);
	});

	it("isError is an item error carrying the tool's own text; under Continue On Fail an error item", async () => {
		const args = { name: 'Y', objective_id: 'o9' };
		const stopped = await callJson('create_campaign', args);
		expect(stopped.error?.message).toBe(
			'The account tool create_campaign failed: objective_id not found [item 0]',
		);
		const continued = await callJson('create_campaign', args, {
			continueOnFail: true,
			items: [{}, {}],
		});
		expect(continued.error).toBeUndefined();
		expect(continued.items).toEqual([
			{
				json: {
					error: 'The account tool create_campaign failed: objective_id not found [item 0]',
					description: expect.stringContaining('The tool ran and reported this error'),
				},
				pairedItem: { item: 0 },
			},
			{
				json: {
					error: 'The account tool create_campaign failed: objective_id not found [item 1]',
					description: expect.stringContaining('The tool ran and reported this error'),
				},
				pairedItem: { item: 1 },
			},
		]);
	});

	it('several items read the tool once and call it once each, pairing every output item', async () => {
		const result = await t.run(
			{
				resource: 'accountTool',
				operation: 'call',
				toolName: byName('get_campaign'),
				argumentsInput: 'json',
				argumentsJson: '={{ { campaign_id: $json.id } }}',
			},
			{ items: [{ id: 'c1' }, { id: 'c2' }, { id: 'c1' }] },
		);
		expect(result.items.map((item) => [item.json.id, item.pairedItem])).toEqual([
			['c1', { item: 0 }],
			['c2', { item: 1 }],
			['c1', { item: 2 }],
		]);
		expect(toolRequests().map((request) => request.method)).toEqual([
			'GET',
			'POST',
			'POST',
			'POST',
		]);
	});

	it("Appcues' 400 {error, error_description} and an unknown tool are clear errors", async () => {
		const invalid = await callJson('create_campaign', {
			name: 'X',
			objective_id: 'o1',
			// A literal would be flagged by n8n before the run; an expression's value is checked here.
			priority: '={{ "high" }}',
		});
		expect(invalid.error?.message).toBe(
			'Appcues API error 400: invalid_arguments: priority must be an integer',
		);
		expect(invalid.error?.description).toBe('Request: POST /v1/tools/create_campaign');

		t.fake.reset();
		const unknown = await callJson('nope', {});
		expect(unknown.error?.message).toBe('There is no account tool named "nope" [item 0]');
		expect(toolRequests()).toEqual([{ origin: 'tools', method: 'GET', path: '/v1/tools/nope' }]);
	});

	it('JSON that is not an object is refused before any request', async () => {
		const result = await callJson('get_campaign', '["c1"]');
		expect(result.error?.message).toBe('Arguments (JSON) must be a JSON object [item 0]');
		expect(t.fake.requests).toHaveLength(0);
	});

	it('a call answered 502 is not sent again (it may have run); one answered 429 is', async () => {
		t.fake.addFault({ kind: 'status', status: 502, method: 'POST', pathIncludes: 'v1/tools' });
		const failed = await callJson('create_campaign', { name: 'X', objective_id: 'o1' });
		expect(failed.error?.message).toMatch(/^The POST request to Appcues may have gone through/);
		expect(t.fake.apiRequests({ method: 'POST' })).toHaveLength(1);

		t.fake.reset();
		t.fake.addFault({ kind: 'status', status: 429, method: 'POST', pathIncludes: 'v1/tools' });
		const retried = await callJson('list_issue_spikes', {});
		expect(retried.items[0].json).toEqual({ text: 'No issue spikes detected.' });
		expect(t.fake.apiRequests({ method: 'POST' }).map((request) => request.status)).toEqual([
			429, 200,
		]);
	});

	it('no secret in the output or the errors; the API origin is not contacted at all', async () => {
		const results = [
			await callJson('get_campaign', { campaign_id: 'c1' }),
			await callJson(
				'create_campaign',
				{ name: 'Y', objective_id: 'o9' },
				{ continueOnFail: true },
			),
			await callJson('nope', {}),
		];
		const seen = JSON.stringify(results.map(({ items, error }) => ({ items, error })));
		for (const secret of [...SECRETS, TOOLS_KEY]) expect(seen).not.toContain(secret);
		expect(t.fake.requests.every((request) => request.origin === 'tools')).toBe(true);
	});
});

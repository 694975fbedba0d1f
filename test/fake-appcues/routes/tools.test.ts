import { describe, expect, it } from 'vitest';

import { AUTH, useFake } from '../use-fake';
import { DEFAULT_ACCOUNT } from '../server';
import { SCREENSHOT_PNG_BASE64, toolsState } from './tools';

/** base64("key:secret") without a prefix: the tools' `appcues-api-key` header. */
const KEY = Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString(
	'base64',
);

describe('fake account tools', () => {
	const t = useFake();

	const tools = (path: string, init: RequestInit = {}) =>
		fetch(`${t.fake.toolsUrl}/v1/tools${path}`, {
			...init,
			headers: { 'appcues-api-key': KEY, ...(init.headers as Record<string, string>) },
		});
	const call = (name: string, args?: unknown) =>
		tools(`/${name}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(args === undefined ? {} : { arguments: args }),
		});

	it('listens on its own origin, which serves nothing of the API (and the API nothing of it)', async () => {
		expect(t.fake.toolsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(t.fake.toolsUrl).not.toBe(t.fake.url);
		expect((await fetch(`${t.fake.toolsUrl}/v2/accounts/12345/tags`)).status).toBe(404);
		const onApi = await fetch(`${t.fake.url}/v1/tools`, { headers: { 'appcues-api-key': KEY } });
		expect(onApi.status).toBe(404);
		expect(t.fake.requests.map((r) => r.origin)).toEqual(['tools', 'api']);
	});

	it('lists a summary, or full entries with schema and annotations', async () => {
		const summary = (await (await tools('?view=summary')).json()) as { tools: object[] };
		expect(summary.tools[0]).toEqual({
			name: 'list_campaigns',
			description: 'List the campaigns in the account with their status',
			role: 'account_readonly',
		});
		const full = (await (await tools('')).json()) as { tools: Array<Record<string, unknown>> };
		expect(full.tools.map((tool) => tool.name)).toEqual([
			'list_campaigns',
			'get_campaign',
			'create_campaign',
			'list_issue_spikes',
			'get_experience_screenshot',
		]);
		expect(full.tools[2]).toMatchObject({
			inputSchema: { type: 'object', required: ['name', 'objective_id'] },
			annotations: { title: 'Create Campaign', readOnlyHint: false, destructiveHint: false },
			role: 'account_write',
		});
		const one = await (await tools('/get_campaign')).json();
		expect(one).toEqual(full.tools[1]);
	});

	it('answers each kind of envelope', async () => {
		expect(await (await call('list_campaigns')).json()).toEqual({
			content: [{ type: 'text', text: '2 campaigns' }],
			data: [
				{ type: 'campaign', id: 'c1', name: 'Launch', status: 'active' },
				{ type: 'campaign', id: 'c2', name: 'Onboard', status: 'draft' },
			],
			isError: false,
		});
		const campaign = (await (await call('get_campaign', { campaign_id: 'c1' })).json()) as {
			content: Array<{ text: string }>;
		};
		expect(JSON.parse(campaign.content[0].text)).toMatchObject({
			id: 'c1',
			objective: 'Activation',
		});
		expect(await (await call('list_issue_spikes', {})).json()).toEqual({
			content: [{ type: 'text', text: 'No issue spikes detected.' }],
			isError: false,
		});
		const shot = (await (
			await call('get_experience_screenshot', { experience_id: 'f1' })
		).json()) as {
			content: Array<Record<string, string>>;
		};
		expect(shot.content[1]).toEqual({
			type: 'image',
			data: SCREENSHOT_PNG_BASE64,
			mimeType: 'image/png',
		});
		expect(Buffer.from(shot.content[1].data, 'base64').subarray(1, 4).toString()).toBe('PNG');
	});

	it('a writing tool creates, and reports a bad objective as a tool error (200, isError)', async () => {
		const created = await call('create_campaign', {
			name: 'Feature X',
			objective_id: 'o1',
			priority: 2,
		});
		expect(created.status).toBe(200);
		expect(await created.json()).toEqual({
			content: [{ type: 'text', text: 'Created campaign c3 "Feature X" as a draft.' }],
			isError: false,
		});
		expect(toolsState(t.fake.state()).campaigns.get('c3')).toMatchObject({ priority: 2 });
		const failed = await call('create_campaign', { name: 'Y', objective_id: 'o9' });
		expect(failed.status).toBe(200);
		expect(await failed.json()).toEqual({
			content: [{ type: 'text', text: 'objective_id not found' }],
			isError: true,
		});
		expect(toolsState(t.fake.state()).campaigns.size).toBe(3);
	});

	it('bad arguments are a 400 with error and error_description', async () => {
		const cases: Array<[unknown, string]> = [
			[{ objective_id: 'o1' }, 'name is required'],
			[{ name: 'X', objective_id: 'o1', priority: 'high' }, 'priority must be an integer'],
			[{ name: 'X', objective_id: 'o1', channel: 'tv' }, 'channel must be one of web, mobile'],
			[
				{ name: 'X', objective_id: 'o1', colour: 'red' },
				'colour is not an argument of create_campaign',
			],
			[['X'], 'arguments must be a JSON object'],
		];
		for (const [args, description] of cases) {
			const response = await call('create_campaign', args);
			expect(response.status).toBe(400);
			expect(await response.json()).toEqual({
				error: 'invalid_arguments',
				error_description: description,
			});
		}
	});

	it('an unknown tool is a 404; a wrong or missing key a 401; other methods a 405', async () => {
		const unknown = await call('nope', {});
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toEqual({ error: 'tool_not_found', tool: 'nope' });
		expect((await tools('/nope')).status).toBe(404);

		const basic = await fetch(`${t.fake.toolsUrl}/v1/tools`, { headers: { authorization: AUTH } });
		expect(basic.status).toBe(401);
		expect(await basic.json()).toEqual({
			error: 'unauthorized',
			error_description: 'the appcues-api-key header is required',
		});
		const wrong = await tools('', {
			headers: { 'appcues-api-key': Buffer.from('k:x').toString('base64') },
		});
		expect(wrong.status).toBe(401);
		expect((await tools('/list_campaigns', { method: 'DELETE' })).status).toBe(405);
		expect(t.fake.requests.every((request) => request.origin === 'tools')).toBe(true);
	});
});

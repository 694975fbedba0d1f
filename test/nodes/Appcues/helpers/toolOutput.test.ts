import type { INodeParameters, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { Appcues } from '../../../../nodes/Appcues/Appcues.node';
import { ANALYTICS_SPEC } from '../../../support/fixtures';
import { useFakeAppcues } from '../../../support/helpers';

/** A profile as Appcues keeps it: a few properties set by the app and many automatic "_" ones. */
const PROFILE = {
	_appcuesId: 'a1',
	_hostname: 'app.example.com',
	_lastBrowserLanguage: 'en',
	_lastSeenAt: 1767225600000,
	_sessionCount: 12,
	_updatedAt: 1767225600000,
	_userAgent: 'Mozilla/5.0',
	name: 'Ada Lovelace',
	email: 'ada@example.com',
	plan: 'enterprise',
	seats: 40,
	role: 'admin',
	team: 'core',
	country: 'UK',
	signup: '2026-01-01',
	score: 9,
	tier: 'gold',
	beta: true,
};

describe('tool mode: the Output option (Simplified by default) on wide answers', () => {
	const t = useFakeAppcues();
	const seedProfile = () =>
		t.fake.state().users.set('ada', { properties: { ...PROFILE }, events: [] });
	const getProfile = (extra: Record<string, unknown> = {}, asTool = true) =>
		t.run({ resource: 'user', operation: 'getProfile', userId: 'ada', ...extra }, { asTool });

	it('as a tool, Get Profile gives the ID and nine properties set by the app: no automatic "_" ones', async () => {
		seedProfile();
		const result = await getProfile();
		expect(result.items.map((item) => item.json)).toEqual([
			{
				user_id: 'ada',
				name: 'Ada Lovelace',
				email: 'ada@example.com',
				plan: 'enterprise',
				seats: 40,
				role: 'admin',
				team: 'core',
				country: 'UK',
				signup: '2026-01-01',
				score: 9,
			},
		]);
	});

	it('Raw gives everything; Selected Fields the ID and the fields named', async () => {
		seedProfile();
		const raw = await getProfile({ output: 'raw' });
		expect(raw.items[0].json).toEqual({ user_id: 'ada', ...PROFILE });
		const selected = await getProfile({
			output: 'selected',
			outputFields: ' email, _lastSeenAt,missing ',
		});
		expect(selected.items[0].json).toEqual({
			user_id: 'ada',
			email: 'ada@example.com',
			_lastSeenAt: 1767225600000,
		});
	});

	it('Selected Fields without fields is refused before any request', async () => {
		const result = await getProfile({ output: 'selected', outputFields: ' , ' });
		expect(result.error?.message).toBe('Output is Selected Fields, but Fields names none [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('in a workflow (not a tool) the option does not exist: the answer is whole, whatever was saved', async () => {
		seedProfile();
		const result = await getProfile({ output: 'simplified' }, false);
		expect(result.items[0].json).toEqual({ user_id: 'ada', ...PROFILE });
	});

	it('Group > Get Profile works the same with group_id', async () => {
		t.fake.state().groups.set('acme', {
			properties: { _lastSeenAt: 1, name: 'Acme', tier: 'pro' },
			users: new Set(),
		});
		const result = await t.run(
			{ resource: 'group', operation: 'getProfile', groupId: 'acme' },
			{ asTool: true },
		);
		expect(result.items[0].json).toEqual({ group_id: 'acme', name: 'Acme', tier: 'pro' });
	});

	it('Experience > Get Many and Get: Simplified drops the steps; the Simplify switch gives way to Output', async () => {
		const flows = t.fake.state().experiences.get('flows')!;
		flows.set('f1', {
			id: 'f1',
			name: 'Tour',
			type: 'flows',
			published: true,
			state: 'PUBLISHED',
			updated_at: '2026-01-01T00:00:00Z',
			steps: [{ content: 'x'.repeat(500) }],
			created_by: 'someone',
		});
		const simple = {
			id: 'f1',
			name: 'Tour',
			type: 'flows',
			published: true,
			state: 'PUBLISHED',
			updated_at: '2026-01-01T00:00:00Z',
		};
		const many = await t.run(
			{ resource: 'experience', operation: 'getAll', experienceType: 'flows', returnAll: true },
			{ asTool: true },
		);
		expect(many.items.map((item) => item.json)).toEqual([simple]);
		const one = await t.run(
			{
				resource: 'experience',
				operation: 'get',
				experienceType: 'flows',
				experienceId: { __rl: true, mode: 'id', value: 'f1' },
			},
			{ asTool: true },
		);
		expect(one.items.map((item) => item.json)).toEqual([simple]);
		const selected = await t.run(
			{
				resource: 'experience',
				operation: 'getAll',
				experienceType: 'flows',
				returnAll: true,
				output: 'selected',
				outputFields: 'created_by',
			},
			{ asTool: true },
		);
		expect(selected.items[0].json).toEqual({ id: 'f1', created_by: 'someone' });
		// As a workflow node, Simplify still works, and without it the whole object comes back.
		const plain = await t.run({
			resource: 'experience',
			operation: 'getAll',
			experienceType: 'flows',
			returnAll: true,
		});
		expect(plain.items[0].json.steps).toHaveLength(1);
	});

	it('Flow Performance Digest: Simplified leaves out the previous period itself (the deltas stay)', async () => {
		t.fake.state().experiences.get('flows')!.set('f1', { id: 'f1', name: 'Tour', published: true });
		const result = await t.run(
			{ resource: 'analytics', operation: 'flowPerformanceDigest', days: 7 },
			{ asTool: true },
		);
		expect(Object.keys(result.items[0].json)).toEqual([
			'flow_id',
			'name',
			'shown',
			'completed',
			'skipped',
			'errors',
			'unique_users',
			'completion_rate',
			'deltas',
			'period',
		]);
		const selected = await t.run(
			{
				resource: 'analytics',
				operation: 'flowPerformanceDigest',
				output: 'selected',
				outputFields: ['name', 'completion_rate'],
			},
			{ asTool: true },
		);
		expect(selected.items[0].json).toEqual({ flow_id: 'f1', name: 'Tour', completion_rate: null });
	});
});

describe('tool mode: inputs that need binary data are hidden (a tool cannot pass files)', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });

	it('Import takes its rows from the input, even when the saved node said Binary File', async () => {
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary', binaryPropertyName: 'data' },
			{ asTool: true, items: [{ user_id: 'u1', plan: 'pro' }] },
		);
		expect(result.error).toBeUndefined();
		const [upload] = t.fake.apiRequests();
		expect(upload.rawPath).toBe('/v2/accounts/12345/import/profiles');
		expect(upload.headers['content-type']).toBe('application/x-ndjson');
		expect(JSON.parse(upload.rawBody)).toEqual({ user_id: 'u1', plan: 'pro' });
	});

	it('Segment > Add Users takes the IDs from the field (which stays shown without the Source choice)', async () => {
		t.fake.state().segments.set('s1', {
			id: 's1',
			name: 'S',
			description: '',
			created_at: '',
			updated_at: '',
			user_ids: new Set(),
		});
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: { __rl: true, mode: 'id', value: 's1' },
				userIds: 'u1, u2',
			},
			{ asTool: true },
		);
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0].body).toEqual({ user_ids: ['u1', 'u2'] });
	});

	it('outside tool mode the same parameters do read the file (the field is only hidden for tools)', async () => {
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary', binaryPropertyName: 'data' },
			{ items: [{ user_id: 'u1' }] },
		);
		expect(result.error?.message).toMatch(/binary/i);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});

/** The answer n8n hands the model: the JSON of the array of the items' json. */
const answerOf = (items: Array<{ json: unknown }>) =>
	JSON.stringify(items.map((item) => item.json));

describe('tool mode: the answer to the agent stays within Max Answer Length (Characters)', () => {
	const t = useFakeAppcues();
	const seedTags = (count: number, nameLength = 100) => {
		for (let n = 0; n < count; n++) {
			const id = `tag-${String(n).padStart(4, '0')}`;
			t.fake.state().tags.set(id, { id, name: `${id} `.padEnd(nameLength, 'x') });
		}
	};
	const getManyTags = (extra: Record<string, unknown> = {}, asTool = true) =>
		t.run({ resource: 'tag', operation: 'getAll', returnAll: true, ...extra }, { asTool });

	it('Get Many with Return All: by default the first results within 100,000 characters, then one note', async () => {
		seedTags(2000);
		const whole = await getManyTags({}, false);
		expect(whole.items).toHaveLength(2000);
		expect(answerOf(whole.items).length).toBeGreaterThan(200_000);

		const result = await getManyTags();
		expect(result.error).toBeUndefined();
		const answer = answerOf(result.items);
		expect(answer.length).toBeLessThanOrEqual(100_000);
		const kept = result.items.slice(0, -1);
		const note = result.items[result.items.length - 1];
		// The leading results, untouched, as many as fit beside the note.
		expect(kept.map((item) => item.json)).toEqual(
			whole.items.slice(0, kept.length).map((item) => item.json),
		);
		expect(
			answer.length + JSON.stringify(whole.items[kept.length].json).length + 1,
		).toBeGreaterThan(100_000);
		expect(note.json).toEqual({
			truncated: true,
			items_shown: kept.length,
			items_total: 2000,
			message:
				`The answer was cut to stay within 100,000 characters: these are the first ` +
				`${kept.length.toLocaleString('en-US')} of 2,000 results. To get the rest, narrow the ` +
				'request: a lower limit (or Return All off), filters, a shorter period. In the settings ' +
				'of this tool, Output: Simplified or Selected Fields sends fewer fields per result, and ' +
				'Max Answer Length (Characters) sets this limit.',
		});
		expect(result.items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(
			true,
		);
	});

	it('Analytics > Query: a lower limit keeps fewer rows; the whole answer, note included, fits in it', async () => {
		t.fake.configure({ analyticsRows: 1000 });
		const result = await t.run(
			{ resource: 'analytics', operation: 'query', query: ANALYTICS_SPEC, maxAnswerLength: 2000 },
			{ asTool: true },
		);
		expect(result.error).toBeUndefined();
		const answer = answerOf(result.items);
		expect(answer.length).toBeLessThanOrEqual(2000);
		const note = result.items[result.items.length - 1].json;
		expect(note).toMatchObject({ truncated: true, items_total: 1000 });
		expect(note.items_shown).toBe(result.items.length - 1);
		expect(note.items_shown).toBeGreaterThan(0);
		expect(note.message).toContain('within 2,000 characters');
	});

	it('each item keeps its pairedItem; the note is paired with the inputs of the results left out', async () => {
		seedTags(4, 200);
		const result = await t.run(
			{ resource: 'tag', operation: 'get', tagId: '={{ $json.id }}', maxAnswerLength: 900 },
			{
				asTool: true,
				items: [{ id: 'tag-0000' }, { id: 'tag-0001' }, { id: 'tag-0002' }, { id: 'tag-0003' }],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => [item.json.id ?? 'note', item.pairedItem])).toEqual([
			['tag-0000', { item: 0 }],
			['tag-0001', { item: 1 }],
			['note', [{ item: 2 }, { item: 3 }]],
		]);
		expect(result.items[2].json).toMatchObject({ items_shown: 2, items_total: 4 });
	});

	it('a result larger than the limit by itself leaves the note alone', async () => {
		seedTags(3, 2000);
		const result = await getManyTags({ maxAnswerLength: 1000 });
		expect(result.items.map((item) => item.json)).toEqual([
			expect.objectContaining({ truncated: true, items_shown: 0, items_total: 3 }),
		]);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('an answer within the limit is sent whole, without a note; 0 sends everything', async () => {
		seedTags(50);
		const small = await getManyTags({ returnAll: false, limit: 5 });
		expect(small.items.map((item) => item.json.id)).toEqual([
			'tag-0000',
			'tag-0001',
			'tag-0002',
			'tag-0003',
			'tag-0004',
		]);
		const unlimited = await getManyTags({ maxAnswerLength: 0 });
		expect(unlimited.items).toHaveLength(50);
		expect(unlimited.items.some((item) => 'truncated' in item.json)).toBe(false);
	});

	it('in a workflow (not a tool) nothing is cut, whatever was saved', async () => {
		seedTags(50);
		const result = await getManyTags({ maxAnswerLength: 1000 }, false);
		expect(result.items).toHaveLength(50);
		expect(result.items.some((item) => 'truncated' in item.json)).toBe(false);
	});

	it('a limit that is not a whole number of at least 0 is refused before any request', async () => {
		const result = await getManyTags({ maxAnswerLength: -5 });
		expect(result.error?.message).toBe(
			'Max Answer Length (Characters) must be a whole number of at least 0, not -5 [item 0]',
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});

describe('tool mode: downloads are refused before anything is sent (an agent never gets a file)', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	const refusal = (what: string) =>
		`${what} cannot run as an AI agent's tool: an agent gets the JSON of a tool's answer, ` +
		'never its file. Nothing was sent to Appcues [item 0]';
	const experience = { __rl: true, mode: 'id', value: 'f1' };

	it('Experience > Download Screenshots', async () => {
		const result = await t.run(
			{ resource: 'experience', operation: 'downloadScreenshots', experienceId: experience },
			{ asTool: true },
		);
		expect(result.error?.message).toBe(refusal('Experience > Download Screenshots'));
		expect(result.error?.description).toBe(
			'Download files in a workflow, with the Appcues node rather than Appcues Tool. For data ' +
				'an agent can read, give it Analytics > Query (rows) or Job > Get Analytics Export ' +
				'(the status of an export).',
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('Analytics > Export with Download Result on (the default); off, the export runs', async () => {
		const refused = await t.run(
			{ resource: 'analytics', operation: 'export', query: ANALYTICS_SPEC },
			{ asTool: true },
		);
		expect(refused.error?.message).toBe(refusal('Analytics > Export with Download Result on'));
		expect(t.fake.apiRequests()).toHaveLength(0);

		const accepted = await t.run(
			{
				resource: 'analytics',
				operation: 'export',
				query: ANALYTICS_SPEC,
				waitForCompletion: false,
			},
			{ asTool: true },
		);
		expect(accepted.error).toBeUndefined();
		expect(accepted.items[0].json).toMatchObject({ status: 'queued' });
		expect(accepted.items[0].binary).toBeUndefined();
	});

	it('Job > Download Analytics Export', async () => {
		const result = await t.run(
			{ resource: 'job', operation: 'downloadAnalyticsExport', jobId: 'job-1' },
			{ asTool: true },
		);
		expect(result.error?.message).toBe(refusal('Job > Download Analytics Export'));
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('with Continue On Fail, each item gets the refusal as its answer, and still nothing is sent', async () => {
		const result = await t.run(
			{ resource: 'experience', operation: 'downloadScreenshots', experienceId: experience },
			{ asTool: true, continueOnFail: true, items: [{}, {}] },
		);
		expect(result.items.map((item) => [item.json.error, item.pairedItem])).toEqual([
			[refusal('Experience > Download Screenshots'), { item: 0 }],
			[refusal('Experience > Download Screenshots').replace('[item 0]', '[item 1]'), { item: 1 }],
		]);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('the editor says so with the download fields, only in tool mode', () => {
		const shown = (asTool: boolean, parameters: Record<string, unknown>) =>
			new Appcues().description.properties
				.filter((property) => property.name === 'fileAsToolNotice')
				.some((property) =>
					NodeHelpers.displayParameter(
						parameters as INodeParameters,
						property,
						{ typeVersion: 1 },
						{ name: asTool ? 'appcuesTool' : 'appcues' } as INodeTypeDescription,
					),
				);
		const screenshots = { resource: 'experience', operation: 'downloadScreenshots' };
		const exportOn = {
			resource: 'analytics',
			operation: 'export',
			waitForCompletion: true,
			download: true,
		};
		expect(shown(true, screenshots)).toBe(true);
		expect(shown(false, screenshots)).toBe(false);
		expect(shown(true, exportOn)).toBe(true);
		expect(shown(true, { ...exportOn, download: false })).toBe(false);
		expect(shown(true, { resource: 'job', operation: 'downloadAnalyticsExport' })).toBe(true);
	});
});

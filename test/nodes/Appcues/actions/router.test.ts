import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

import type { INodeParameters } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../support/helpers';

/** Update Profile with the user ID from each item and one fixed property. */
const updateProfile = {
	resource: 'user',
	operation: 'updateProfile',
	userId: '={{ $json.id }}',
	propertiesInput: 'json',
	propertiesJson: '{"plan":"pro"}',
};

describe('continueOnFail', () => {
	const t = useFakeAppcues();

	it('gives one error item per failed item and carries on', async () => {
		t.fake.state().users.set('u0', { properties: { a: 1 }, events: [] });
		t.fake.state().users.set('u2', { properties: { a: 2 }, events: [] });
		const result = await t.run(
			{ resource: 'user', operation: 'getProfile', userId: '={{ $json.id }}' },
			{ items: [{ id: 'u0' }, { id: 'missing' }, { id: 'u2' }, { id: '' }], continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.user_id ?? item.json.error, item.pairedItem]),
		).toEqual([
			['u0', { item: 0 }],
			['Appcues API error 404: Not Found: user missing not found', { item: 1 }],
			['u2', { item: 2 }],
			['User ID is empty [item 3]', { item: 3 }],
		]);
		expect(t.fake.apiRequests()).toHaveLength(3);
	});

	it('without it, the first failing item stops the run with its index', async () => {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'getProfile',
				userId: '={{ $json.id }}',
				options: { maxConcurrency: 1 },
			},
			{ items: [{ id: 'missing-0' }, { id: 'missing-1' }] },
		);
		expect(result.error?.context?.itemIndex).toBe(0);
		expect(t.fake.apiRequests()).toHaveLength(1);
	});
});

describe('a failure without Continue On Fail', () => {
	const t = useFakeAppcues();

	const trackEvents = (count: number, options = {}) =>
		t.run(
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: '={{ $json.id }}',
				eventName: 'clicked',
				options,
			},
			{ items: Array.from({ length: count }, (_, n) => ({ id: `u${n}` })) },
		);

	it('names the items that had already succeeded, before it and under way beside it', async () => {
		t.fake.addFault({ kind: 'status', status: 400, pathIncludes: '/users/u1/' });
		const result = await trackEvents(8);
		const written = t.fake
			.apiRequests()
			.filter((request) => request.status === 200)
			.map((request) => Number(/\/users\/u(\d+)\//.exec(request.rawPath)![1]))
			.sort((a, b) => a - b);
		expect(written).toContain(0);
		expect(written.length).toBeGreaterThan(1);
		expect(result.error?.message).toBe('Appcues API error 400: Bad Request: injected fault');
		expect(result.error?.description).toBe(
			`Request: POST /v2/accounts/12345/users/u1/events Items ${written.join(', ')} had already ` +
				'succeeded; running the node again repeats them.',
		);
	});

	it('lists ten items by number, then how many more; says nothing when none succeeded', async () => {
		t.fake.addFault({ kind: 'status', status: 400, pathIncludes: '/users/u12/' });
		const many = await trackEvents(13, { maxConcurrency: 1 });
		expect(many.error?.description).toBe(
			'Request: POST /v2/accounts/12345/users/u12/events Items 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 ' +
				'more had already succeeded; running the node again repeats them.',
		);

		t.fake.reset();
		t.fake.addFault({ kind: 'status', status: 400, pathIncludes: '/users/u0/' });
		const first = await trackEvents(3, { maxConcurrency: 1 });
		expect(first.error?.description).toBe('Request: POST /v2/accounts/12345/users/u0/events');
	});
});

describe('input is refused with a field error, never silently changed', () => {
	const t = useFakeAppcues();

	describe('every item is checked before the first request', () => {
		const items = Array.from({ length: 20 }, (_, n) => ({ id: `u${n}` }));

		it('an empty id at item 15 means nothing is sent, and the error names item 15', async () => {
			const input = items.map((item, n) => (n === 15 ? { id: '' } : item));
			const result = await t.run(updateProfile, { items: input });
			expect(result.error?.message).toBe('User ID is empty [item 15]');
			expect(result.error?.context?.itemIndex).toBe(15);
			expect(t.fake.apiRequests()).toHaveLength(0);
			expect(t.fake.state().users.size).toBe(0);
		});

		it('several bad items: the error lists all of them', async () => {
			const input = items.map((item, n) =>
				n === 15 ? { id: '' } : n === 17 ? { id: { nested: 1 } } : item,
			);
			const result = await t.run(updateProfile, { items: input });
			expect(result.error?.message).toBe('User ID is empty [item 15]');
			expect(result.error?.description).toContain(
				'2 of 20 items have invalid parameters, so nothing was sent: User ID is empty [item 15]; User ID must be text or a number, not an object [item 17].',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('a bad expression in a later item stops the node before the first request too', async () => {
			const result = await t.run(
				{ ...updateProfile, propertiesJson: '={{ $json.props }}' },
				{
					items: items.map((item, n) => ({
						...item,
						props: n === 12 ? '{not json' : { plan: 'pro' },
					})),
				},
			);
			expect(result.error?.message).toBe('Properties is not valid JSON [item 12]');
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('with Continue On Fail the bad item is an error item in its place and the good ones are sent', async () => {
			const input = items.map((item, n) => (n === 15 ? { id: '' } : item));
			const result = await t.run(updateProfile, { items: input, continueOnFail: true });
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests()).toHaveLength(19);
			expect(t.fake.apiRequests({ pathIncludes: '/users//' })).toHaveLength(0);
			expect(result.items).toHaveLength(20);
			expect(result.items.map((item) => item.pairedItem)).toEqual(
				input.map((_, item) => ({ item })),
			);
			expect(result.items[15].json).toMatchObject({ error: 'User ID is empty [item 15]' });
			expect(result.items[16].json).toMatchObject({ user_id: 'u16' });
		});

		it('segment membership from CSV files: a missing file at item 2 stops the node before the first upload', async () => {
			const file = {
				data: {
					data: Buffer.from('user_id\nu1\n').toString('base64'),
					mimeType: 'text/csv',
					fileName: 'ids.csv',
				},
			};
			const result = await t.run(
				{
					resource: 'segment',
					operation: 'addUsers',
					segmentId: { __rl: true, mode: 'id', value: 's1' },
					source: 'binary',
				},
				{ items: [{ json: {}, binary: file }, { json: {}, binary: file }, { json: {} }] as never },
			);
			expect(result.error?.context?.itemIndex).toBe(2);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});
	});
});

describe('yes/no and choice fields set by an expression', () => {
	const t = useFakeAppcues();

	it('"false" is false and "true" is true; any other value is refused before any request', async () => {
		for (const id of ['s1', 's2', 's3'])
			t.fake.state().segments.set(id, { id, name: id, user_ids: new Set() } as never);
		const getMany = (returnAll: string) =>
			t.run({ resource: 'segment', operation: 'getAll', returnAll, limit: 2 }, {});
		expect((await getMany('={{ "false" }}')).items).toHaveLength(2);
		expect((await getMany('={{ "TRUE" }}')).items).toHaveLength(3);
		t.fake.reset();
		const refused = await getMany('={{ "no" }}');
		expect(refused.error?.message).toBe('Return All must be true or false, not "no" [item 0]');
		expect(t.fake.requests).toHaveLength(0);
	});

	it('Dry Run "false" erases; an unknown Split User IDs On is refused, nobody erased', async () => {
		const erase = (parameters: INodeParameters) =>
			t.run({ resource: 'user', operation: 'gdprDelete', userIds: 'ada', ...parameters }, {});
		const erased = await erase({ dryRun: '={{ "false" }}' });
		expect(erased.items[0].json).toMatchObject({ users: 1, user_ids: ['ada'] });
		expect(erased.items[0].json.dry_run).toBeUndefined();
		expect(t.fake.apiRequests()).toHaveLength(1);

		t.fake.reset();
		const refused = await erase({ userIds: 'ada,grace', idSeparator: '={{ "commas" }}' });
		expect(refused.error?.message).toBe(
			'Split User IDs On must be "commaOrNewLine" or "newLine" or "none", not "commas" [item 0]',
		);
		expect(t.fake.requests).toHaveLength(0);
	});

	it('an unknown Properties to Send or Format is refused, never read as another choice', async () => {
		const importRows = await t.run(
			{
				resource: 'import',
				operation: 'profiles',
				source: 'items',
				propertiesToSend: '={{ "Selected" }}',
				propertyFields: 'plan',
			},
			{ items: [{ user_id: 'u1', plan: 'pro', ssn: '123-45-6789' }] },
		);
		expect(importRows.error?.message).toBe(
			'Properties to Send must be "allOther" or "selected", not "Selected" [item 0]',
		);
		const exportEvents = await t.run(
			{
				resource: 'export',
				operation: 'events',
				startTime: '2026-01-01T00:00:00Z',
				endTime: '2026-01-02T00:00:00Z',
				format: '={{ "xlsx" }}',
			},
			{},
		);
		expect(exportEvents.error?.message).toBe('Format must be "csv" or "json", not "xlsx" [item 0]');
		expect(t.fake.requests).toHaveLength(0);
	});
});

describe('the first request of a run', () => {
	const t = useFakeAppcues();

	it('leaves while the next ones are prepared, not after all the first slots are used', async () => {
		// Every connection the node opens, and when each is up (its request is written then).
		const events: string[] = [];
		let opened = 0;
		const onSocket = ({ socket }: { socket: Socket }) => {
			const n = opened++;
			events.push(`opened ${n}`);
			socket.once('connect', () => events.push(`connected ${n}`));
		};
		diagnostics.subscribe('net.client.socket', onSocket as (message: unknown) => void);
		try {
			const result = await t.run(updateProfile, {
				items: Array.from({ length: 10 }, (_, n) => ({ id: `u${n}` })),
			});
			expect(result.error).toBeUndefined();
		} finally {
			diagnostics.unsubscribe('net.client.socket', onSocket as (message: unknown) => void);
		}
		expect(t.fake.apiRequests()).toHaveLength(10);
		expect(opened).toBe(10);
		// All ten may go at once (the pacer's first slots); prepared all in one go, each request
		// would wait for the last connection to be opened before its own was up.
		expect(events.indexOf('connected 0')).toBeLessThan(events.indexOf('opened 2'));
	});
});

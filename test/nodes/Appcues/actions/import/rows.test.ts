/**
 * Bad input is refused with an error naming the item and the field, never silently changed, and
 * before any request is sent.
 */
import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';
import { rowText, type RowSettings } from '../../../../../nodes/Appcues/actions/import/rows';
import { rowLine, profiles } from '../../../../support/import-rows';

const ndjsonText = (body: unknown) => String(body).split('\n').filter(Boolean);

describe('input is refused with a field error, never silently changed', () => {
	const t = useFakeAppcues();

	describe('ids are text or finite numbers', () => {
		it('bulk import: an ID Field given as an object by an expression is refused, not read as "[object Object]"', async () => {
			const result = await t.run(
				{
					resource: 'import',
					operation: 'profiles',
					source: 'items',
					idField: '={{ $json.field }}',
				},
				{ items: [{ field: { name: 'id' }, id: 'u1' }] },
			);
			expect(result.error?.message).toBe(
				'User ID Field must be text or a number, not an object [item 0]',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('bulk import: two object ids are two error rows, never merged into one "[object Object]" user', async () => {
			const items = [
				{ user_id: { id: 'a' }, plan: 'free' },
				{ user_id: { id: 'b' }, plan: 'pro' },
				{ user_id: 'u3', plan: 'pro' },
			];
			const stopped = await t.run(
				{ resource: 'import', operation: 'profiles', source: 'items' },
				{ items },
			);
			expect(stopped.error?.message).toBe(
				'2 of 3 items cannot be imported, so nothing was sent [item 0]',
			);
			expect(stopped.error?.description).toContain(
				'item 0: "user_id" must be text or a number, not {"id":"a"}',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);

			const result = await t.run(
				{ resource: 'import', operation: 'profiles', source: 'items' },
				{ items, continueOnFail: true },
			);
			expect(result.error).toBeUndefined();
			const requests = t.fake.apiRequests();
			expect(requests).toHaveLength(1);
			expect(ndjsonText(requests[0].rawBody)).toEqual(['{"plan":"pro","user_id":"u3"}']);
			expect(requests[0].rawBody).not.toContain('[object Object]');
			expect(t.fake.state().users.has('[object Object]')).toBe(false);
			expect(
				result.items.map((item) => [item.json.reason ?? item.json.rows, item.pairedItem]),
			).toEqual([
				['"user_id" must be text or a number, not {"id":"a"}', { item: 0 }],
				['"user_id" must be text or a number, not {"id":"b"}', { item: 1 }],
				[1, [{ item: 2 }]],
			]);
		});
	});

	describe('timestamps outside 1970-9999 are field errors', () => {
		it('Import Events with Continue On Fail: the out-of-range row is an error item and the others go', async () => {
			const items = [
				{ user_id: 'u0', name: 'a', timestamp: 1767225600 },
				{ user_id: 'u1', name: 'b', timestamp: 9000000000000000 },
				{ user_id: 'u2', name: 'c', timestamp: '2026-01-01T00:00:00Z' },
			];
			const result = await t.run(
				{ resource: 'import', operation: 'events', source: 'items' },
				{ items, continueOnFail: true },
			);
			expect(result.error).toBeUndefined();
			const requests = t.fake.apiRequests();
			expect(requests).toHaveLength(1);
			expect(ndjsonText(requests[0].rawBody).map((line) => JSON.parse(line).user_id)).toEqual([
				'u0',
				'u2',
			]);
			expect(
				result.items.map((item) => [item.json.reason ?? item.json.rows, item.pairedItem]),
			).toEqual([
				[2, [{ item: 0 }, { item: 2 }]],
				['"timestamp" is not a valid timestamp: 9000000000000000', { item: 1 }],
			]);
		});
	});

	describe('import rows hold the ID column once', () => {
		it.each([
			['profiles', 'user_id'],
			['groups', 'group_id'],
		])('%s: the ID Field wins over an item field named %s', async (operation, column) => {
			const result = await t.run(
				{ resource: 'import', operation, source: 'items', idField: 'id' },
				{ items: [{ id: 'chosen', [column]: 'stale', plan: 'pro' }] },
			);
			expect(result.error).toBeUndefined();
			const [line] = ndjsonText(t.fake.apiRequests()[0].rawBody);
			expect(line).toBe(`{"plan":"pro","${column}":"chosen"}`);
		});

		it('also when the other key is among the Selected Fields', async () => {
			await t.run(
				{
					resource: 'import',
					operation: 'profiles',
					source: 'items',
					idField: 'id',
					propertiesToSend: 'selected',
					propertyFields: 'user_id, plan',
				},
				{ items: [{ id: 'chosen', user_id: 'stale', plan: 'pro' }] },
			);
			expect(ndjsonText(t.fake.apiRequests()[0].rawBody)).toEqual([
				'{"plan":"pro","user_id":"chosen"}',
			]);
		});
	});
	describe('event rows: dates that do not exist or have no zone are bad rows', () => {
		it('nothing is sent, and the error names each row and why', async () => {
			const items = [
				{ user_id: 'u0', name: 'a', timestamp: '2026-01-31T12:00:00Z' },
				{ user_id: 'u1', name: 'b', timestamp: '2026-02-30T10:00:00Z' },
				{ user_id: 'u2', name: 'c', timestamp: '2026-01-31T12:00:00' },
			];
			const result = await t.run(
				{ resource: 'import', operation: 'events', source: 'items' },
				{ items },
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
			expect(result.error?.message).toBe(
				'2 of 3 items cannot be imported, so nothing was sent [item 1]',
			);
			expect(result.error?.description).toContain(
				'item 1: "timestamp" is not a real date and time: "2026-02-30T10:00:00Z"; item 2: "timestamp" has no time zone (add Z for UTC or an offset such as +02:00): "2026-01-31T12:00:00"',
			);
		});
	});
});

/** The row as Appcues will parse it, or the problem. */
function buildRow(json: Record<string, unknown>, settings: RowSettings) {
	const result = rowLine(json as never, settings);
	return 'line' in result ? { row: JSON.parse(result.line) } : result;
}

describe('rows', () => {
	it('profiles: the id plus all other fields, or selected ones', () => {
		expect(buildRow({ id: 'u1', plan: 'pro', seats: 3 }, { ...profiles, idField: 'id' })).toEqual({
			row: { plan: 'pro', seats: 3, user_id: 'u1' },
		});
		expect(
			buildRow(
				{ user_id: 'u1', plan: 'pro', seats: 3 },
				{ ...profiles, propertiesToSend: 'selected', propertyFields: ['seats', 'nope'] },
			),
		).toEqual({
			row: { seats: 3, user_id: 'u1' },
		});
	});

	it('groups use group_id', () => {
		expect(
			buildRow(
				{ company: 'acme', tier: 'gold' },
				{ ...profiles, kind: 'groups', idField: 'company' },
			),
		).toEqual({
			row: { tier: 'gold', group_id: 'acme' },
		});
	});

	it('events: name, ISO timestamp and attributes', () => {
		const events: RowSettings = { ...profiles, kind: 'events' };
		expect(
			buildRow({ user_id: 'u1', name: 'paid', timestamp: 1767225600, amount: 5 }, events),
		).toEqual({
			row: {
				user_id: 'u1',
				name: 'paid',
				timestamp: '2026-01-01T00:00:00.000Z',
				attributes: { amount: 5 },
			},
		});
		expect(buildRow({ user_id: 'u1', name: 'paid', timestamp: 'soon' }, events)).toEqual({
			problem: '"timestamp" is not a valid timestamp: "soon"',
		});
		expect(buildRow({ user_id: 'u1', timestamp: 1 }, events)).toMatchObject({
			problem: expect.stringContaining('event name'),
		});
		expect(buildRow({ user_id: 'u1', name: 'x' }, events)).toMatchObject({
			problem: expect.stringContaining('timestamp'),
		});
	});

	it('keeps nested values and JSON types, drops undefined', () => {
		const json = {
			user_id: 7,
			tags: ['a', 'b'],
			meta: { nested: { x: 1 } },
			on: false,
			nothing: null,
			gone: undefined,
			'odd "key"': 'é\n',
		};
		expect(buildRow(json, profiles)).toEqual({
			row: {
				tags: ['a', 'b'],
				meta: { nested: { x: 1 } },
				on: false,
				nothing: null,
				'odd "key"': 'é\n',
				user_id: '7',
			},
		});
	});

	it('events: selected attributes, or none', () => {
		const json = { user_id: 'u', name: 'n', timestamp: '2026-01-01T00:00:00Z', a: 1, b: 2 };
		const events: RowSettings = { ...profiles, kind: 'events' };
		expect(
			buildRow(json, { ...events, propertiesToSend: 'selected', propertyFields: ['b'] }),
		).toEqual({
			row: { user_id: 'u', name: 'n', timestamp: '2026-01-01T00:00:00.000Z', attributes: { b: 2 } },
		});
		expect(buildRow(json, { ...events, propertiesToSend: 'none' })).toEqual({
			row: { user_id: 'u', name: 'n', timestamp: '2026-01-01T00:00:00.000Z' },
		});
	});

	it('events: fields that JSON cannot carry (undefined, functions) make no attributes', () => {
		const events: RowSettings = { ...profiles, kind: 'events' };
		const json = { user_id: 'u', name: 'n', timestamp: 0, gone: undefined, call: () => 1 };
		expect(rowText(json, events)).toBe(
			'{"user_id":"u","name":"n","timestamp":"1970-01-01T00:00:00.000Z"}',
		);
	});

	it.each([
		[{ id: 'a' }, '"user_id" must be text or a number, not {"id":"a"}'],
		[['a'], '"user_id" must be text or a number, not ["a"]'],
		[true, '"user_id" must be text or a number, not true'],
		[Number.NaN, '"user_id" must be text or a number, not NaN'],
	])('an id of %j is a problem, never "[object Object]"', (id, problem) => {
		expect(buildRow({ user_id: id }, profiles)).toEqual({ problem });
	});

	it('events: a timestamp beyond the year 9999 is a problem, not a RangeError', () => {
		const events: RowSettings = { ...profiles, kind: 'events' };
		expect(buildRow({ user_id: 'u1', name: 'paid', timestamp: 9000000000000000 }, events)).toEqual({
			problem: '"timestamp" is not a valid timestamp: 9000000000000000',
		});
		expect(buildRow({ user_id: 'u1', name: { text: 'paid' }, timestamp: 1 }, events)).toEqual({
			problem: '"name" (the event name) must be text or a number, not {"text":"paid"}',
		});
	});

	it('the ID Field wins: an item field named like the ID column is dropped, so the key is written once', () => {
		expect(
			rowText({ id: 'chosen', user_id: 'stale', plan: 'pro' }, { ...profiles, idField: 'id' }),
		).toBe('{"plan":"pro","user_id":"chosen"}');
	});

	it('a field named "__proto__" stays a field of the row, in properties and in event attributes', () => {
		const json = JSON.parse('{"user_id":"a","__proto__":{"admin":true},"plan":"pro"}');
		expect(rowText(json, profiles)).toBe('{"__proto__":{"admin":true},"plan":"pro","user_id":"a"}');
		const event = JSON.parse('{"user_id":"a","name":"paid","timestamp":0,"__proto__":"x"}');
		expect(JSON.parse(rowText(event, { ...profiles, kind: 'events' }))).toEqual(
			JSON.parse(
				'{"user_id":"a","name":"paid","timestamp":"1970-01-01T00:00:00.000Z","attributes":{"__proto__":"x"}}',
			),
		);
		expect(({} as { admin?: boolean }).admin).toBeUndefined();
	});

	it.each([undefined, null, '', '   '])('an id of %j is a problem', (id) => {
		expect(buildRow({ user_id: id }, profiles)).toEqual({
			problem: '"user_id" is missing or empty',
		});
	});
});

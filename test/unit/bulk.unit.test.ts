import type { INodeExecutionData } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { planChunks, writeChunk } from '../../nodes/Appcues/actions/import/fromItems';
import { emitRow, rowProblem, type RowSettings } from '../../nodes/Appcues/actions/import/rows';

/** The whole row as one string, as the bulk path writes it piece by piece. */
function rowLine(
	json: INodeExecutionData['json'],
	settings: RowSettings,
): { line: string } | { problem: string } {
	const problem = rowProblem(json, settings);
	if (problem) return { problem };
	let line = '';
	emitRow(json, settings, (text) => (line += text));
	return { line };
}

/** The row as Appcues will parse it, or the problem. */
function buildRow(json: Record<string, unknown>, settings: RowSettings) {
	const result = rowLine(json as never, settings);
	return 'line' in result ? { row: JSON.parse(result.line) } : result;
}
import { csvHeader } from '../../nodes/Appcues/helpers/files';
import { jobIdOf, jobOutcome } from '../../nodes/Appcues/helpers/jobs';

const profiles: RowSettings = {
	kind: 'profiles',
	idField: 'user_id',
	propertiesToSend: 'allOther',
	propertyFields: [],
	eventNameField: 'name',
	timestampField: 'timestamp',
};

const items = (rows: Array<Record<string, unknown>>): INodeExecutionData[] =>
	rows.map((json) => ({ json: json as never }));

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
		let line = '';
		emitRow(
			{ id: 'chosen', user_id: 'stale', plan: 'pro' },
			{ ...profiles, idField: 'id' },
			(text) => (line += text),
		);
		expect(line).toBe('{"plan":"pro","user_id":"chosen"}');
	});

	it.each([undefined, null, '', '   '])('an id of %j is a problem', (id) => {
		expect(buildRow({ user_id: id }, profiles)).toEqual({
			problem: '"user_id" is missing or empty',
		});
	});
});

describe('chunking', () => {
	const rowBytes = (json: INodeExecutionData['json']) =>
		Buffer.byteLength((rowLine(json, profiles) as { line: string }).line) + 1;

	it('packs rows in order into bodies of at most maxBytes, never splitting a row', () => {
		const input = items(
			Array.from({ length: 10 }, (_, n) => ({ user_id: `u${n}`, note: 'x'.repeat(n * 3) })),
		);
		const sizes = input.map((item) => rowBytes(item.json));
		const maxBytes = sizes[9] * 3;
		const { chunks, badRows } = planChunks(input, profiles, maxBytes);
		expect(badRows).toEqual([]);
		expect(chunks.flatMap((chunk) => chunk.items)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		for (const chunk of chunks) {
			expect(chunk.bytes).toBeLessThanOrEqual(maxBytes);
			expect(chunk.bytes).toBe(chunk.items.reduce((sum, index) => sum + sizes[index], 0));
		}
		// Greedy packing: the next row would not have fitted in the chunk before it.
		for (let index = 1; index < chunks.length; index++) {
			expect(chunks[index - 1].bytes + sizes[chunks[index].items[0]]).toBeGreaterThan(maxBytes);
		}
	});

	it('a body exactly at the limit is one request; one byte less makes two', () => {
		const input = items([{ user_id: 'a' }, { user_id: 'b' }]);
		const total = rowBytes(input[0].json) + rowBytes(input[1].json);
		expect(planChunks(input, profiles, total).chunks).toHaveLength(1);
		expect(planChunks(input, profiles, total - 1).chunks).toHaveLength(2);
	});

	it('writes valid NDJSON into a reused buffer', () => {
		const input = items([{ user_id: 'a', plan: 'pro' }, { user_id: 'ü', n: 1 }, { user_id: '' }]);
		const { chunks, badRows } = planChunks(input, profiles, 1000);
		expect(badRows).toEqual([{ itemIndex: 2, reason: '"user_id" is missing or empty' }]);
		const buffer = Buffer.alloc(chunks[0].bytes);
		const body = writeChunk(input, profiles, chunks[0], buffer);
		expect(body.length).toBe(chunks[0].bytes);
		expect(body.toString('utf8').split('\n')).toEqual([
			'{"plan":"pro","user_id":"a"}',
			'{"n":1,"user_id":"ü"}',
			'',
		]);
	});

	it('a row larger than the limit is a bad row', () => {
		const { chunks, badRows } = planChunks(
			items([{ user_id: 'a', blob: 'x'.repeat(100) }, { user_id: 'b' }]),
			profiles,
			50,
		);
		expect(badRows[0]).toMatchObject({
			itemIndex: 0,
			reason: expect.stringContaining('above the 50 bytes request limit'),
		});
		expect(chunks).toEqual([{ items: [1], bytes: Buffer.byteLength('{"user_id":"b"}\n') }]);
	});
});

describe('jobs', () => {
	it.each([
		['queued', 'running'],
		['running', 'running'],
		['complete', 'done'],
		['Completed', 'done'],
		['done', 'done'],
		['failed', 'failed'],
		['error', 'failed'],
		[202, 'running'],
		[200, 'done'],
		['200', 'done'],
		[400, 'failed'],
		[422, 'failed'],
		[undefined, 'running'],
		['something new', 'running'],
	])('status %j is %s', (status, outcome) => {
		expect(jobOutcome(status)).toBe(outcome);
	});

	it('reads the job id from job_id or from job_url', () => {
		expect(jobIdOf({ job_id: 'abc' })).toBe('abc');
		expect(jobIdOf({ job_id: 42 })).toBe('42');
		expect(jobIdOf({ job_url: 'https://api.appcues.com/v2/accounts/1/jobs/j%2F1' })).toBe('j/1');
		expect(jobIdOf({ status: 202 })).toBeUndefined();
	});
});

describe('CSV header', () => {
	it('reads quoted names and drops a byte-order mark', () => {
		expect(csvHeader(Buffer.from('\uFEFF"user_id","plan, tier","a""b"\r\nu1,a,b'))).toEqual({
			names: ['user_id', 'plan, tier', 'a"b'],
		});
		expect(csvHeader(Buffer.from('id\n1'))).toEqual({ names: ['id'] });
	});

	it('takes names exactly as written and refuses what Appcues cannot parse, as the fake does', () => {
		expect(csvHeader(Buffer.from('" user_id ", plan\n'))).toEqual({
			names: [' user_id ', ' plan'],
		});
		expect(csvHeader(Buffer.from('x""y\n'))).toEqual({
			invalid: 'a quote inside an unquoted name (quote the whole name and double the quote)',
		});
		expect(csvHeader(Buffer.from('"user_id\n'))).toEqual({
			invalid: 'a quoted name is never closed',
		});
		// Cut at 64 KB without an end of line: not judged as a complete header.
		expect(csvHeader(Buffer.from('"user_id'), false)).toEqual({
			invalid: 'the header row is longer than 64 KB',
		});
	});
});

import { describe, expect, it } from 'vitest';

import { idList, parseTimestampMs, scalarText } from '../../nodes/Appcues/helpers/input';
import { asList } from '../../nodes/Appcues/helpers/results';

describe('timestamps', () => {
	const iso = Date.parse('2026-01-01T00:00:00Z');
	it.each([
		[1767225600, iso],
		['1767225600', iso],
		[1767225600000, iso],
		['1767225600000', iso],
		['2026-01-01T00:00:00Z', iso],
		['2026-01-01T01:00:00+01:00', iso],
		['2026-01-01', iso],
		[new Date(iso), iso],
	])('%j', (input, expected) => {
		expect(parseTimestampMs(input)).toBe(expected);
	});
	it.each(['yesterday', '01/02/2026', '', -5, Number.NaN, {}, '2026-13-45T99:00:00Z'])(
		'rejects %j',
		(input) => {
			expect(parseTimestampMs(input)).toBeUndefined();
		},
	);
});

describe('timestamp range: the years 1970 to 9999', () => {
	it.each([0, '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', 253402300799999])(
		'accepts %j',
		(input) => {
			expect(parseTimestampMs(input)).toEqual(expect.any(Number));
		},
	);
	it.each([
		9000000000000000,
		'9000000000000000',
		253402300800000,
		'1969-12-31T23:59:59Z',
		new Date(-1),
		Number.MAX_VALUE,
	])('rejects %j', (input) => {
		expect(parseTimestampMs(input)).toBeUndefined();
	});
});

describe('scalar text', () => {
	it('takes strings and finite numbers only', () => {
		expect(scalarText(' u1 ')).toBe('u1');
		expect(scalarText(42)).toBe('42');
		for (const value of [
			{},
			[],
			['a'],
			true,
			false,
			Number.NaN,
			Number.POSITIVE_INFINITY,
			null,
			undefined,
		]) {
			expect(scalarText(value)).toBeUndefined();
		}
	});
});

describe('id lists', () => {
	it('refuses entries that are not text or numbers, never writing "[object Object]"', () => {
		for (const value of [{ id: 1 }, [{ id: 1 }], ['a', ['b']], [true], Number.NaN]) {
			expect(() => idList(value)).toThrow(/^Not an ID: /);
		}
		const refused: unknown[] = [];
		expect(() =>
			idList(['a', { id: 'b' }], (entry) => {
				refused.push(entry);
				throw new Error('refused');
			}),
		).toThrow('refused');
		expect(refused).toEqual([{ id: 'b' }]);
	});

	it('splits text and keeps arrays', () => {
		expect(idList('a, b;c\n d\r\n')).toEqual(['a', 'b', 'c', 'd']);
		expect(idList(['a', ' b ', '', null, 5])).toEqual(['a', 'b', '5']);
		expect(idList(undefined)).toEqual([]);
	});
});

describe('list bodies', () => {
	it('reads bare arrays and objects wrapping one array', () => {
		expect(asList([{ id: 1 }])).toEqual([{ id: 1 }]);
		expect(asList({ events: [{ id: 1 }] }, 'events')).toEqual([{ id: 1 }]);
		expect(asList({ data: [{ id: 2 }], total: 1 })).toEqual([{ id: 2 }]);
		expect(asList({ a: [], b: [] })).toEqual([]);
		expect(asList(undefined)).toEqual([]);
	});
});

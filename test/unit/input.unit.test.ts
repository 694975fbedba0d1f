import { describe, expect, it } from 'vitest';

import { idList, parseTimestampMs } from '../../nodes/Appcues/helpers/input';
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
	it.each(['yesterday', '01/02/2026', '', -5, Number.NaN, {}, '2026-13-45T99:00:00Z'])('rejects %j', (input) => {
		expect(parseTimestampMs(input)).toBeUndefined();
	});
});

describe('id lists', () => {
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

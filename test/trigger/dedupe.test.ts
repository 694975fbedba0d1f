import { describe, expect, it } from 'vitest';

import {
	MAX_SEEN_EVENTS,
	hasSeen,
	loadSeenEvents,
	rememberEvents,
} from '../../nodes/AppcuesTrigger/dedupe';

const NOW = 1_767_225_600_000;

describe('seen event ids', () => {
	it('remembers ids and finds them again', () => {
		const seen = rememberEvents([], ['a', 'b'], NOW);
		expect(hasSeen(seen, 'a')).toBe(true);
		expect(hasSeen(seen, 'c')).toBe(false);
	});

	it('forgets ids older than the retention', () => {
		const stored = rememberEvents(rememberEvents([], ['old'], NOW - 301_000), ['new'], NOW - 10_000);
		const seen = loadSeenEvents(stored, NOW, 300_000);
		expect(seen.map(([id]) => id)).toEqual(['new']);
	});

	it('keeps ids regardless of age when the retention is 0', () => {
		const stored = rememberEvents([], ['ancient'], 0);
		expect(loadSeenEvents(stored, NOW, 0)).toHaveLength(1);
	});

	it('stays bounded, dropping the oldest', () => {
		const ids = Array.from({ length: MAX_SEEN_EVENTS + 50 }, (_, i) => `id-${i}`);
		const seen = rememberEvents([], ids, NOW);
		expect(seen).toHaveLength(MAX_SEEN_EVENTS);
		expect(hasSeen(seen, 'id-0')).toBe(false);
		expect(hasSeen(seen, `id-${MAX_SEEN_EVENTS + 49}`)).toBe(true);
	});

	it('ignores malformed static data', () => {
		expect(loadSeenEvents(undefined, NOW, 300_000)).toEqual([]);
		expect(loadSeenEvents({ a: 1 }, NOW, 300_000)).toEqual([]);
		expect(loadSeenEvents([['ok', NOW], 'x', [1, 2], ['y']], NOW, 300_000)).toEqual([['ok', NOW]]);
	});
});

import { describe, expect, it } from 'vitest';

import {
	MAX_BODY_ONLY_DIGESTS,
	MAX_SEEN,
	SeenDeliveries,
	rememberUntil,
} from '../../../nodes/AppcuesTrigger/dedupe';

const NOW = 1_767_225_600_000;
const WINDOW_S = 300;

function seenWith(keys: string[], expiresAtMs: number): SeenDeliveries {
	const seen = new SeenDeliveries();
	for (const key of keys) seen.remember(key, expiresAtMs);
	return seen;
}

describe('seen event ids', () => {
	it('remembers ids and finds them again', () => {
		const seen = seenWith(['a', 'b'], NOW + 1_000);
		expect(seen.has('a', NOW)).toBe(true);
		expect(seen.has('c', NOW)).toBe(false);
	});

	it('forgets ids once they expire', () => {
		const seen = seenWith(['old'], NOW - 1_000);
		seen.remember('new', NOW + 10_000);
		const loaded = new SeenDeliveries();
		loaded.merge(seen.toStored(), NOW);
		expect(loaded.toStored().map(([key]) => key)).toEqual(['new']);
		expect(seen.has('old', NOW)).toBe(false);
	});

	it('keeps ids regardless of age when the window is 0', () => {
		const seen = seenWith(['ancient'], rememberUntil(0, 0));
		seen.prune(NOW);
		expect(seen.has('ancient', NOW)).toBe(true);
	});

	it('stays bounded at 10,000, dropping what expires soonest', () => {
		expect(MAX_SEEN).toBe(10_000);
		const seen = new SeenDeliveries();
		for (let i = 0; i < MAX_SEEN + 50; i++) seen.remember(`id-${i}`, NOW + 1_000 + i);
		seen.prune(NOW);
		expect(seen.size).toBe(MAX_SEEN);
		expect(seen.has('id-0', NOW)).toBe(false);
		expect(seen.has('id-49', NOW)).toBe(false);
		expect(seen.has('id-50', NOW)).toBe(true);
		expect(seen.has(`id-${MAX_SEEN + 49}`, NOW)).toBe(true);
	});

	it('keeps all 1,001 ids of one body (the old list kept the last 1,000)', () => {
		const seen = seenWith(['earlier'], NOW + 1_000);
		for (let i = 0; i < 1_001; i++) seen.remember(`id-${i}`, NOW + 2_000);
		seen.prune(NOW);
		expect(seen.has('earlier', NOW)).toBe(true);
		expect(seen.has('id-0', NOW)).toBe(true);
	});

	it('keeps the later expiry when an id is remembered twice', () => {
		const seen = seenWith(['a'], NOW + 5_000);
		seen.remember('a', NOW + 1_000);
		expect(seen.toStored()).toEqual([['a', NOW + 5_000]]);
	});

	it('ignores malformed static data', () => {
		const seen = new SeenDeliveries();
		seen.merge(undefined, NOW);
		seen.merge({ a: 1 }, NOW);
		seen.merge([['ok', NOW + 1], 'x', [1, 2], ['y'], ['z', '1'], ['w', NOW + 1, 3]], NOW);
		expect(seen.toStored()).toEqual([['ok', NOW + 1]]);
	});
});

describe('keys of a delivery n8n has not answered yet', () => {
	it('count as seen but are never stored until confirmed', () => {
		const seen = new SeenDeliveries();
		seen.remember('acknowledged', NOW + 1_000);
		seen.remember('pending', NOW + 1_000, true);
		expect(seen.has('pending', NOW)).toBe(true);
		expect(seen.toStored()).toEqual([['acknowledged', NOW + 1_000]]);
		expect(seen.storedSize).toBe(1);
		seen.confirm(['pending']);
		expect(seen.toStored().map(([key]) => key)).toEqual(['acknowledged', 'pending']);
	});

	it("are stored by their own delivery only, never by another one's", () => {
		const seen = new SeenDeliveries();
		seen.remember('mine', NOW + 1_000, true);
		seen.remember('theirs', NOW + 1_000, true);
		expect(seen.toStored(new Set(['mine']))).toEqual([['mine', NOW + 1_000]]);
	});

	it('stay forgotten after forget(), whatever static data still holds, until they expire', () => {
		const seen = new SeenDeliveries();
		seen.remember('k', NOW + 1_000, true);
		seen.forget(['k']);
		seen.merge([['k', NOW + 1_000]], NOW);
		expect(seen.has('k', NOW)).toBe(false);
		expect(seen.toStored()).toEqual([]);
		// Its retry is remembered again, and then static data counts once more.
		seen.remember('k', NOW + 2_000, true);
		seen.confirm(['k']);
		expect(seen.has('k', NOW)).toBe(true);
		const later = new SeenDeliveries();
		later.remember('j', NOW + 1_000, true);
		later.forget(['j']);
		later.prune(NOW + 1_000);
		later.merge([['j', NOW + 5_000]], NOW + 1_001);
		expect(later.has('j', NOW + 1_001)).toBe(true);
	});

	it('are dropped by forget(), which leaves acknowledged keys alone', () => {
		const seen = new SeenDeliveries();
		seen.remember('acknowledged', NOW + 1_000);
		seen.remember('pending', NOW + 1_000, true);
		seen.forget(['pending', 'acknowledged']);
		expect(seen.has('pending', NOW)).toBe(false);
		expect(seen.has('acknowledged', NOW)).toBe(true);
	});

	it('become acknowledged when static data holds them (another process ran the event)', () => {
		const seen = new SeenDeliveries();
		seen.remember('k', NOW + 1_000, true);
		seen.merge([['k', NOW + 2_000]], NOW);
		seen.forget(['k']);
		expect(seen.has('k', NOW)).toBe(true);
	});

	it('are not pushed out by the cap', () => {
		const seen = new SeenDeliveries();
		seen.remember('pending', NOW + 1, true);
		for (let i = 0; i < MAX_SEEN; i++) seen.remember(`id-${i}`, NOW + 1_000 + i);
		seen.prune(NOW);
		expect(seen.has('pending', NOW)).toBe(true);
		expect(seen.has('id-0', NOW)).toBe(false);
	});
});

describe('body-only digests', () => {
	it('are never pushed out before they expire, whatever the number of event ids', () => {
		const seen = new SeenDeliveries();
		seen.remember('body:captured', NOW + 1_000);
		for (let i = 0; i < MAX_SEEN + 10; i++) seen.remember(`id-${i}`, NOW + 2_000 + i);
		seen.prune(NOW);
		expect(seen.has('body:captured', NOW)).toBe(true);
		expect(seen.has('id-9', NOW)).toBe(false);
	});

	it('have a bound of their own, and leave no room once it is reached', () => {
		expect(MAX_BODY_ONLY_DIGESTS).toBe(10_000);
		const seen = new SeenDeliveries();
		for (let i = 0; i < MAX_BODY_ONLY_DIGESTS - 1; i++) seen.remember(`body:${i}`, NOW + 1_000);
		expect(seen.hasRoomForBodyOnly(NOW)).toBe(true);
		seen.remember('body:last', NOW + 2_000);
		seen.prune(NOW);
		expect(seen.hasRoomForBodyOnly(NOW)).toBe(false);
		expect(seen.bodyOnlyCount(NOW)).toBe(MAX_BODY_ONLY_DIGESTS);
		expect(seen.hasRoomForBodyOnly(NOW + 1_000)).toBe(true);
	});
});

describe('rememberUntil', () => {
	it('is two windows from receipt for a timestamp at or before now', () => {
		expect(rememberUntil(NOW, WINDOW_S)).toBe(NOW + 600_000);
		expect(rememberUntil(NOW, WINDOW_S, NOW - 100_000)).toBe(NOW + 600_000);
	});

	it('is the timestamp plus a window when that is later', () => {
		expect(rememberUntil(NOW, WINDOW_S, NOW + 400_000)).toBe(NOW + 700_000);
	});

	it('outlasts every timestamp the window accepts', () => {
		// A delivery stamped now + 290 s is accepted until now + 590 s.
		expect(rememberUntil(NOW, WINDOW_S, NOW + 290_000)).toBeGreaterThan(NOW + 590_000);
	});
});

import { describe, expect, it } from 'vitest';

import { isWithinReplayWindow, parseTimestamp } from '../../../nodes/AppcuesTrigger/timestamp';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseTimestamp', () => {
	it('reads Unix seconds, milliseconds and ISO 8601 as the same instant', () => {
		expect(parseTimestamp(String(NOW / 1000))).toBe(NOW);
		expect(parseTimestamp(String(NOW))).toBe(NOW);
		expect(parseTimestamp('2026-01-01T12:00:00Z')).toBe(NOW);
		expect(parseTimestamp('2026-01-01T12:00:00.000Z')).toBe(NOW);
		expect(parseTimestamp('2026-01-01T14:00:00+02:00')).toBe(NOW);
	});

	it('reads fractional seconds', () => {
		expect(parseTimestamp(`${NOW / 1000}.250`)).toBe(NOW + 250);
	});

	it('refuses other text', () => {
		for (const value of [
			'',
			'abc',
			'-5',
			'2026-01-01',
			'2026-01-01T12:00:00',
			'2026-02-30T12:00:00Z',
			'2026-01-01T24:00:00Z',
			'2026-01-01T12:00:00+25:00',
			'Thu, 01 Jan 2026 12:00:00 GMT',
			'1e9',
			'12345678901234567890',
		]) {
			expect(parseTimestamp(value), value).toBeUndefined();
		}
	});
});

describe('isWithinReplayWindow', () => {
	it('accepts timestamps inside the tolerance, either way', () => {
		expect(isWithinReplayWindow(NOW, NOW, 300)).toBe(true);
		expect(isWithinReplayWindow(NOW - 300_000, NOW, 300)).toBe(true);
		expect(isWithinReplayWindow(NOW + 300_000, NOW, 300)).toBe(true);
	});

	it('rejects stale and future timestamps', () => {
		expect(isWithinReplayWindow(NOW - 301_000, NOW, 300)).toBe(false);
		expect(isWithinReplayWindow(NOW + 301_000, NOW, 300)).toBe(false);
		expect(isWithinReplayWindow(NOW - 61_000, NOW, 60)).toBe(false);
	});

	it('is off with a tolerance of 0', () => {
		expect(isWithinReplayWindow(0, NOW, 0)).toBe(true);
	});
});

import { describe, expect, it } from 'vitest';

import {
	bounds,
	compareUtf8,
	countOf,
	lastDays,
	listOf,
	pctChange,
	previousPeriod,
	ratePct,
	rfc3339Seconds,
	round1,
} from '../../../../../nodes/Appcues/actions/analytics/periods';

const at = (text: string) => Date.parse(text);

describe('the period arithmetic of the CLI composites', () => {
	it('the window ends now and the previous one is adjacent and as long (CLI composite.rs tests)', () => {
		const period = lastDays(7, at('2026-08-26T00:00:00Z'));
		expect(bounds(period)).toEqual({
			start_time: '2026-08-19T00:00:00Z',
			end_time: '2026-08-26T00:00:00Z',
		});
		expect(bounds(previousPeriod(period))).toEqual({
			start_time: '2026-08-12T00:00:00Z',
			end_time: '2026-08-19T00:00:00Z',
		});
	});

	it('crosses month and year boundaries', () => {
		const period = lastDays(30, at('2026-01-15T12:00:00Z'));
		expect(bounds(period).start_time).toBe('2025-12-16T12:00:00Z');
		expect(bounds(previousPeriod(period)).start_time).toBe('2025-11-16T12:00:00Z');
	});

	it('drops the fraction of a second from now, as the CLI writes RFC 3339 at second precision', () => {
		const period = lastDays(1, at('2026-08-26T10:20:30.999Z'));
		expect(bounds(period)).toEqual({
			start_time: '2026-08-25T10:20:30Z',
			end_time: '2026-08-26T10:20:30Z',
		});
		expect(rfc3339Seconds(at('2026-08-26T10:20:30Z'))).toBe('2026-08-26T10:20:30Z');
	});

	it('pct_change and rate_pct: one decimal, null against zero', () => {
		expect(pctChange(150, 100)).toBe(50);
		expect(pctChange(80, 100)).toBe(-20);
		expect(pctChange(5, 0)).toBeNull();
		expect(pctChange(0, 5)).toBe(-100);
		expect(ratePct(1, 3)).toBe(33.3);
		expect(ratePct(0, 10)).toBe(0);
		expect(ratePct(3, 0)).toBeNull();
	});

	it('round1 rounds halves away from zero, as Rust f64::round (JavaScript Math.round would not)', () => {
		expect(round1(2.25)).toBe(2.3);
		expect(round1(-2.25)).toBe(-2.3);
		expect(round1(-0.05)).toBe(-0.1);
		expect(Object.is(round1(-0.04), 0)).toBe(true);
		// 80 users against 70: +14.2857… → 14.3 (CLI digest test)
		expect(pctChange(80, 70)).toBe(14.3);
		// 1 of 8 completed now against 3 of 8: 12.5 - 37.5 → -25, and -1/6 → -16.7
		expect(pctChange(5, 6)).toBe(-16.7);
	});

	it('counts are non-negative whole numbers, else 0 (as_u64)', () => {
		expect([countOf(3), countOf(-1), countOf(2.5), countOf('4'), countOf(null)]).toEqual([
			3, 0, 0, 0, 0,
		]);
	});

	it('a list answer is a bare array or the first array of an object, keys in byte order (as_list)', () => {
		expect(listOf([1, 2])).toEqual([1, 2]);
		expect(listOf({ flows: [1, 2, 3] })).toEqual([1, 2, 3]);
		expect(listOf({ b: [2], a: [1] })).toEqual([1]);
		expect(listOf('scalar')).toEqual([]);
		expect(['b', 'B', 'é', 'z'].sort(compareUtf8)).toEqual(['B', 'b', 'z', 'é']);
	});
});

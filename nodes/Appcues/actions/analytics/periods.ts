import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readNumber } from '../../helpers/input';
import type { AppcuesClient } from '../../transport/client';
import { SYNC_ROW_LIMIT } from './query.operation';

/**
 * The period arithmetic of Appcues' CLI composites (`flows +digest`, `analytics +compare`,
 * crates/appcues/src/commands/composite.rs), reproduced exactly: the same windows, the same
 * rounding, the same nulls.
 */

const DAY_MS = 86_400_000;
export const MAX_DAYS = 90;

/** A half-open UTC window [start, end), in milliseconds. */
export interface Period {
	start: number;
	end: number;
}

/** The bounds as the analytics API takes them and the outputs show them. */
export interface PeriodBounds extends IDataObject {
	start_time: string;
	end_time: string;
}

/**
 * The `days`-long window ending now. The CLI writes times at second precision, dropping the
 * fraction, so "now" is cut to the second first (both bounds then stay whole days apart).
 */
export function lastDays(days: number, now: number): Period {
	const end = Math.floor(now / 1000) * 1000;
	return { start: end - days * DAY_MS, end };
}

/** The same-length window just before: derived, never a parameter. */
export function previousPeriod(period: Period): Period {
	return { start: period.start - (period.end - period.start), end: period.start };
}

/** RFC 3339 in UTC at second precision, e.g. 2026-08-19T00:00:00Z. */
export function rfc3339Seconds(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function bounds(period: Period): PeriodBounds {
	return { start_time: rfc3339Seconds(period.start), end_time: rfc3339Seconds(period.end) };
}

/**
 * One decimal, halves away from zero (Rust's f64::round): -2.25 gives -2.3, where JavaScript's
 * Math.round would give -2.2.
 */
export function round1(value: number): number {
	const scaled = value * 10;
	const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
	// Normalises -0 to 0, as the CLI prints 0.0 for it.
	return rounded / 10 + 0;
}

/** Percent change from `previous` to `current` (50 means +50 %); null against 0. */
export function pctChange(current: number, previous: number): number | null {
	return previous === 0 ? null : round1(((current - previous) / previous) * 100);
}

/** part/whole as a percent (0 to 100), one decimal; null when whole is 0. */
export function ratePct(part: number, whole: number): number | null {
	return whole === 0 ? null : round1((part / whole) * 100);
}

export const daysField: INodeProperties = {
	displayName: 'Days',
	name: 'days',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_DAYS, numberPrecision: 0 },
	default: 7,
	description:
		'Length of the period in days, ending now; it is compared ' +
		'with the same number of days just before it (at most 90)',
};

/** Days from 1 to 90 and whole, as the CLI's --days; anything else names the field. */
export function readDays(this: IExecuteFunctions, itemIndex: number): number {
	return readNumber.call(this, daysField, itemIndex, { whole: true });
}

/**
 * One synchronous analytics query; its rows, and a hint when Appcues cut them at the row limit
 * (the composite is then computed from part of the data, which the CLI does not say).
 */
export async function queryRows(
	this: IExecuteFunctions,
	client: AppcuesClient,
	spec: IDataObject,
	itemIndex: number,
	which: string,
): Promise<unknown[]> {
	const response = await client.requestFull({
		method: 'POST',
		path: '/analytics/query',
		body: spec,
		itemIndex,
	});
	if (String(response.headers['x-rows-truncated'] ?? '').toLowerCase() === 'true') {
		this.addExecutionHints({
			message:
				`Appcues cut the ${which} rows of item ${itemIndex} at ` +
				`${SYNC_ROW_LIMIT.toLocaleString('en-US')}: ` +
				'the figures are computed from part of the data. ' +
				'Use fewer dimensions, narrower conditions, or fewer days.',
			location: 'outputPane',
		});
	}
	return listOf(response.body);
}

/**
 * A list answer as the CLI reads it (`as_list`): a bare array, or the first array inside an object
 * (its keys in sorted order, as serde_json keeps them).
 */
export function listOf(body: unknown): unknown[] {
	if (Array.isArray(body)) return body;
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		for (const key of Object.keys(record).sort(compareUtf8)) {
			if (Array.isArray(record[key])) return record[key] as unknown[];
		}
	}
	return [];
}

/** Orders strings by their UTF-8 bytes, as Rust compares them. */
export function compareUtf8(a: string, b: string): number {
	return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A non-negative whole JSON number, else 0 (serde_json's `as_u64().unwrap_or(0)`). */
export function countOf(value: unknown): number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** Any JSON number, else 0 (serde_json's `as_f64().unwrap_or(0.0)`). */
export function numberOf(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

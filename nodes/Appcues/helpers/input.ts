import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { unixTimeToMs } from '../../shared/unixTime';
import { isUnsafeSegment } from '../transport/paths';

/** Reads a text parameter that must not be empty; the error names the field and the item. */
export function requiredString(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	const raw = this.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	const value = raw === undefined || raw === null ? '' : String(raw).trim();
	if (!value) {
		throw new NodeOperationError(this.getNode(), `${label} is empty [item ${itemIndex}]`, {
			description: `Set "${label}" to a value, or check that the expression gives one for this item.`,
			itemIndex,
		});
	}
	return value;
}

/**
 * A JSON field's value: text is parsed (the error names the field and shows `example`), a value
 * from an expression is taken as it is; empty text, null and undefined give undefined.
 */
function parseJsonField(
	this: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
	example: string,
): unknown {
	if (typeof value !== 'string') return value ?? undefined;
	if (!value.trim()) return undefined;
	try {
		return JSON.parse(value) ?? undefined;
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `${label} is not valid JSON [item ${itemIndex}]`, {
			description: `${(error as Error).message}. Enter ${example}.`,
			itemIndex,
		});
	}
}

/** Parses a JSON field that must hold an object; accepts an object given by an expression too. */
export function jsonObject(
	this: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
): IDataObject {
	const example = 'a JSON object such as {"plan": "pro", "seats": 5}';
	const parsed = parseJsonField.call(this, value, label, itemIndex, example);
	if (parsed === undefined) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(this.getNode(), `${label} must be a JSON object [item ${itemIndex}]`, {
			description: `Enter ${example}, not an array or a single value.`,
			itemIndex,
		});
	}
	return parsed as IDataObject;
}

/**
 * Accepts ISO 8601 text, Unix seconds or Unix milliseconds (as number or digits) and returns
 * ISO 8601; an empty value means now.
 */
export function toIsoTimestamp(
	this: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
	now: () => number = Date.now,
): string {
	const fail = () =>
		new NodeOperationError(this.getNode(), `${label} is not a valid timestamp [item ${itemIndex}]`, {
			description: `Got "${String(value)}". Use ISO 8601 (e.g. 2026-01-31T12:00:00Z) or Unix seconds or milliseconds.`,
			itemIndex,
		});
	if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
		return new Date(now()).toISOString();
	}
	const parsed = parseTimestampMs(value);
	if (parsed === undefined) throw fail();
	return new Date(parsed).toISOString();
}

/** Unix seconds or milliseconds (see unixTimeToMs) or ISO-like text. */
export function parseTimestampMs(value: unknown): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value < 0) return undefined;
		return unixTimeToMs(value);
	}
	if (typeof value !== 'string') {
		// Luxon DateTime and similar objects from expressions
		const iso = (value as { toISO?: () => string } | null)?.toISO?.();
		return iso ? parseTimestampMs(iso) : undefined;
	}
	const text = value.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return parseTimestampMs(Number(text));
	if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Splits a list of ids given as an array, or as text separated by commas, semicolons or new
 * lines. Empty entries are dropped.
 */
export function idList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value : String(value ?? '').split(/[,;\n\r]+/);
	return parts
		.map((part) => (part === undefined || part === null ? '' : String(part).trim()))
		.filter((part) => part !== '');
}

/**
 * Like `requiredString`, for an id that becomes a URL path segment: "." and ".." are refused,
 * since no encoding keeps URL parsers from treating them as navigation.
 */
export function requiredId(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const value = requiredString.call(this, name, label, itemIndex);
	if (isUnsafeSegment(value)) {
		throw new NodeOperationError(this.getNode(), `${label} "${value}" is not a valid ID [item ${itemIndex}]`, {
			description: '"." and ".." cannot be sent as an ID in a URL path.',
			itemIndex,
		});
	}
	return value;
}

/** Parses a JSON field that must hold an array (an array from an expression is accepted too). */
export function jsonArray(this: IExecuteFunctions, value: unknown, label: string, itemIndex: number): unknown[] {
	const example = 'a JSON array such as [["name", "==", "signed_up"]]';
	const parsed = parseJsonField.call(this, value, label, itemIndex, example);
	if (parsed === undefined) return [];
	if (!Array.isArray(parsed)) {
		throw new NodeOperationError(this.getNode(), `${label} must be a JSON array [item ${itemIndex}]`, { itemIndex });
	}
	return parsed;
}

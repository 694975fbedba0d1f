import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { booleanValue } from '../../shared/booleanValue';
import { readIsoTime } from '../../shared/isoTime';
import {
	AMBIGUOUS_FROM,
	isPlausibleTimeMs,
	MILLISECONDS_FROM,
	unixTimeToMs,
} from '../../shared/unixTime';
import { isUnsafeSegment } from '../transport/paths';
import { ensureNodeError, itemError } from './errors';
import { readItemText } from './itemField';

/** What a field error adds: nothing went out, and where to look. */
const UNCHANGED =
	'Nothing was sent. Change the field, or check the expression that sets it for this item.';

/**
 * An ID or a short text as it is sent: a string (trimmed) or a finite number. Anything else
 * (object, array, boolean, NaN, Infinity) gives undefined, so no value is ever sent as
 * "[object Object]".
 */
export function scalarText(value: unknown): string | undefined {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/** A short, safe view of a value for an error message. */
export function previewValue(value: unknown): string {
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
		return String(value);
	try {
		const text = JSON.stringify(value) ?? typeof value;
		return text.length > 60 ? `${text.slice(0, 57)}...` : text;
	} catch {
		return typeof value;
	}
}

function kindOf(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'number') return String(value);
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/** The error for a field that needs text or a number but got something else. */
export function notTextError(
	this: IExecuteFunctions,
	label: string,
	value: unknown,
	itemIndex: number,
): NodeOperationError {
	return itemError(this.getNode(), `${label} must be text or a number, not ${kindOf(value)}`, {
		description:
			`Got ${previewValue(value)}. Check that the expression gives a single value for this item, ` +
			'e.g. {{ $json.user.id }} rather than {{ $json.user }}.',
		itemIndex,
	});
}

/**
 * Optional text or number (trimmed); empty, null and undefined give ''. Other types are refused.
 */
export function optionalText(
	this: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
): string {
	if (value === undefined || value === null) return '';
	const text = scalarText(value);
	if (text === undefined) throw notTextError.call(this, label, value, itemIndex);
	return text;
}

/** Reads a text parameter that must not be empty; the error names the field and the item. */
export function requiredString(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	let raw: unknown;
	try {
		raw = readItemText(this, name, itemIndex, { extractValue: true });
	} catch (error) {
		// n8n's own words for a By URL value its pattern does not match name neither item nor field.
		if (error instanceof Error && /parameter's value is invalid/.test(error.message)) {
			throw itemError(this.getNode(), `${label} is not an Appcues Studio URL`, {
				description:
					`Use the URL of the ${label.toLowerCase()} as Appcues Studio shows it ` +
					'(https://studio.appcues.com/… or https://studio.eu.appcues.com/…), or choose By ID.',
				itemIndex,
			});
		}
		throw ensureNodeError(this.getNode(), error, itemIndex);
	}
	const value = optionalText.call(this, raw, label, itemIndex);
	if (!value) {
		throw itemError(this.getNode(), `${label} is empty`, {
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
		throw itemError(this.getNode(), `${label} is not valid JSON`, {
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
		throw itemError(this.getNode(), `${label} must be a JSON object`, {
			description: `Enter ${example}, not an array or a single value.`,
			itemIndex,
		});
	}
	return parsed as IDataObject;
}

/** What the timestamp fields accept, for their errors. */
export const TIMESTAMP_FORMS =
	'ISO 8601 with a zone (e.g. 2026-01-31T12:00:00Z or 2026-01-31T14:00:00+02:00), ' +
	'a date alone (midnight UTC), or Unix seconds or milliseconds, from the year 1970 to 9999';

/** A timestamp's instant, or why it has none (a phrase that follows the field's name). */
export type TimestampReading = { ms: number } | { problem: string };

/**
 * Reads a timestamp: ISO 8601 with a zone, a date alone (midnight UTC), Unix seconds or
 * milliseconds (as a number or digits, see unixTimeToMs), a Date or a Luxon DateTime, from the
 * year 1970 to 9999. A date that does not exist (2026-02-30) and a date and time without a zone
 * (which the n8n server would read in its own time zone) are refused, as the trigger refuses them.
 */
export function readTimestamp(value: unknown): TimestampReading {
	const invalid = { problem: 'is not a valid timestamp' };
	if (value instanceof Date) return plausible(value.getTime()) ?? invalid;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value < 0) return invalid;
		if (value >= AMBIGUOUS_FROM && value < MILLISECONDS_FROM) {
			const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
			return {
				problem:
					`is ambiguous as Unix time: ${value} is ${day(value * 1000)} in seconds or ` +
					`${day(value)} in milliseconds (give ISO 8601, e.g. 2026-01-31T12:00:00Z)`,
			};
		}
		return plausible(unixTimeToMs(value)) ?? invalid;
	}
	if (typeof value !== 'string') {
		// Luxon DateTime and similar objects from expressions
		const iso = (value as { toISO?: () => string } | null)?.toISO?.();
		return iso ? readTimestamp(iso) : invalid;
	}
	const text = value.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return readTimestamp(Number(text));
	const iso = readIsoTime(text);
	if (!iso) return invalid;
	if (iso.kind === 'impossible') return { problem: 'is not a real date and time' };
	if (iso.kind === 'local' && iso.hasTime) {
		return {
			problem: 'has no time zone (add Z for UTC or an offset such as +02:00)',
		};
	}
	return plausible(iso.kind === 'instant' ? iso.ms : iso.wallMs) ?? invalid;
}

function plausible(ms: number): { ms: number } | undefined {
	return isPlausibleTimeMs(ms) ? { ms } : undefined;
}

/** The instant of a timestamp (see readTimestamp), or undefined when it is refused. */
export function parseTimestampMs(value: unknown): number | undefined {
	const reading = readTimestamp(value);
	return 'ms' in reading ? reading.ms : undefined;
}

/** A timestamp field as ISO 8601 in UTC (see readTimestamp); an empty value means now. */
export function toIsoTimestamp(
	this: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
	now: () => number = Date.now,
): string {
	if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
		return new Date(now()).toISOString();
	}
	const reading = readTimestamp(value);
	if ('problem' in reading) {
		throw itemError(this.getNode(), `${label} ${reading.problem}`, {
			description: `Got ${previewValue(value)}. Use ${TIMESTAMP_FORMS}.`,
			itemIndex,
		});
	}
	return new Date(reading.ms).toISOString();
}

function refuseEntry(entry: unknown): never {
	throw new TypeError(`Not an ID: ${previewValue(entry)}`);
}

/**
 * Where text given as a list of IDs is split: on commas and new lines (the default of the fields
 * that say so), on new lines only, or nowhere (the text is one ID). Nothing else splits: not ";",
 * not a tab, not a carriage return alone (CR LF is a new line). A list from an expression is never
 * split further: each entry is one ID.
 */
export const ID_SEPARATORS = ['commaOrNewLine', 'newLine', 'none'] as const;
export type IdSeparator = (typeof ID_SEPARATORS)[number];

const SEPARATORS: Record<IdSeparator, RegExp | undefined> = {
	commaOrNewLine: /[,\n]/,
	newLine: /\n/,
	none: undefined,
};

/**
 * Splits a list of ids given as an array, or as text split by `separator`. Entries are trimmed and
 * empty ones dropped; an entry that is not text or a finite number goes to `refuse`, which throws.
 */
export function idList(
	value: unknown,
	refuse: (entry: unknown) => never = refuseEntry,
	separator: IdSeparator = 'commaOrNewLine',
): string[] {
	if (value === undefined || value === null) return [];
	const parts = Array.isArray(value) ? value : [value];
	const split = Array.isArray(value) ? undefined : SEPARATORS[separator];
	const ids: string[] = [];
	for (const part of parts) {
		if (part === undefined || part === null) continue;
		const text = scalarText(part);
		if (text === undefined) refuse(part);
		const pieces = typeof part === 'string' && split ? text.split(split) : [text];
		for (const piece of pieces) if (piece.trim()) ids.push(piece.trim());
	}
	return ids;
}

/** Reads an ID list parameter (see idList) that must hold at least one ID. */
export function readIdList(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	separator: IdSeparator = 'commaOrNewLine',
): string[] {
	const ids = idList(
		readItemText(this, name, itemIndex),
		(entry) => {
			throw notTextError.call(this, `${label}: an entry`, entry, itemIndex);
		},
		separator,
	);
	if (!ids.length) {
		throw itemError(this.getNode(), `${label} is empty`, {
			description:
				'Give at least one user ID, or check that the expression gives one for this item.',
			itemIndex,
		});
	}
	return ids;
}

/**
 * Like `requiredString`, for an id that becomes a URL path segment: "." and ".." are refused,
 * since no encoding keeps URL parsers from treating them as navigation.
 */
export function requiredId(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	const value = requiredString.call(this, name, label, itemIndex);
	if (isUnsafeSegment(value)) {
		throw itemError(this.getNode(), `${label} "${value}" is not a valid ID`, {
			description: '"." and ".." cannot be sent as an ID in a URL path.',
			itemIndex,
		});
	}
	return value;
}

/** Parses a JSON field that must hold an array (an array from an expression is accepted too). */
export function jsonArray(
	this: IExecuteFunctions,
	value: unknown,
	label: string,
	itemIndex: number,
): unknown[] {
	const example = 'a JSON array such as [["name", "==", "signed_up"]]';
	const parsed = parseJsonField.call(this, value, label, itemIndex, example);
	if (parsed === undefined) return [];
	if (!Array.isArray(parsed)) {
		throw itemError(this.getNode(), `${label} must be a JSON array`, { itemIndex });
	}
	return parsed;
}

export interface NumberRule {
	/** Counts (items, retries, results) are whole numbers; durations and sizes take fractions. */
	whole?: boolean;
	/** The name the error gives the field, when it is not the field's displayName alone. */
	label?: string;
}

/** Decimal digits with an optional sign, fraction and exponent; not hex, not "Infinity". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The value as a number, or undefined when it is none (NaN and Infinity included). */
export function asNumber(value: unknown): number | undefined {
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && DECIMAL.test(value.trim())
				? Number(value.trim())
				: undefined;
	return number !== undefined && Number.isFinite(number) ? number : undefined;
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && !value.trim());
}

/**
 * Checks a number that a user or an expression set against the range its field shows (the
 * field's typeOptions minValue and maxValue), before anything is sent. Digits from an expression
 * are taken; empty, text, NaN, Infinity, a value out of range and, for a `whole` field, a fraction
 * are refused with an error naming the field and the item. Never clamped: 0 must not turn a
 * limit off, and a timeout of NaN must not mean "no timeout".
 */
export function checkedNumber(
	this: IExecuteFunctions,
	field: INodeProperties,
	raw: unknown,
	itemIndex: number,
	{ whole = false, label = field.displayName }: NumberRule = {},
): number {
	const { minValue = Number.NEGATIVE_INFINITY, maxValue = Number.POSITIVE_INFINITY } =
		field.typeOptions ?? {};
	const kind = whole ? 'a whole number' : 'a number';
	const range = Number.isFinite(maxValue)
		? `from ${minValue} to ${maxValue}`
		: `of at least ${minValue}`;
	const description = UNCHANGED;
	if (isEmpty(raw)) {
		throw itemError(this.getNode(), `${label} is empty`, {
			description: `Set it to ${kind} ${range}. ${description}`,
			itemIndex,
		});
	}
	const value = asNumber(raw);
	if (
		value === undefined ||
		value < minValue ||
		value > maxValue ||
		(whole && !Number.isSafeInteger(value))
	) {
		const shown = typeof raw === 'string' ? JSON.stringify(raw) : previewValue(raw);
		throw itemError(this.getNode(), `${label} must be ${kind} ${range}, not ${shown}`, {
			description,
			itemIndex,
		});
	}
	return value;
}

/** Reads a number parameter of one item and checks it (see checkedNumber). */
export function readNumber(
	this: IExecuteFunctions,
	field: INodeProperties,
	itemIndex: number,
	rule?: NumberRule,
): number {
	const raw = this.getNodeParameter(field.name, itemIndex, field.default) as unknown;
	return checkedNumber.call(this, field, raw, itemIndex, rule);
}

/**
 * Reads a yes/no parameter of one item: true or false, or that text from an expression. Anything
 * else (other text, a number, empty) is refused, naming the field and the item.
 */
export function readBoolean(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	fallback: boolean,
): boolean {
	const raw = this.getNodeParameter(name, itemIndex, fallback) as unknown;
	const value = booleanValue(raw);
	if (value !== undefined) return value;
	throw itemError(this.getNode(), `${label} must be true or false, not ${previewValue(raw)}`, {
		description: UNCHANGED,
		itemIndex,
	});
}

/**
 * A choice a field or an expression gave: one of the field's values exactly, or an error naming
 * the field, the item and the values it takes (an unknown value never falls back to another).
 */
export function checkedChoice<Choice extends string>(
	this: IExecuteFunctions,
	raw: unknown,
	label: string,
	itemIndex: number,
	choices: readonly Choice[],
): Choice {
	if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as Choice;
	throw itemError(
		this.getNode(),
		`${label} must be ${choices.map((choice) => `"${choice}"`).join(' or ')}, not ${previewValue(raw)}`,
		{ description: UNCHANGED, itemIndex },
	);
}

/** Reads an options parameter of one item and checks it (see checkedChoice). */
export function readChoice<Choice extends string>(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
	choices: readonly Choice[],
	fallback: string,
): Choice {
	const raw = this.getNodeParameter(name, itemIndex, fallback) as unknown;
	return checkedChoice.call(this, raw, label, itemIndex, choices) as Choice;
}

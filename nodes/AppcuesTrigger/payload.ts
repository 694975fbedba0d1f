import type { IDataObject } from 'n8n-workflow';

import { unixTimeToMs } from '../shared/unixTime';
import { parseTimestamp } from './timestamp';

/**
 * Appcues has not published its webhook payload, so these are the likely field names, read in this
 * order; the README lists them. Only top-level fields are read, apart from `attributes.*` ids.
 */
export const EVENT_NAME_FIELDS = ['name', 'event', 'event_name', 'eventName'];
export const EVENT_ID_FIELDS = ['id', 'event_id', 'eventId'];
export const EXPERIENCE_ID_FIELDS = ['flowId', 'flow_id', 'experienceId', 'experience_id'];

/**
 * The events of a body. `idTexts` holds, per event, the source text of its numeric id fields:
 * JSON.parse reads 9007199254740993 as 9007199254740992, so two distinct ids would meet.
 */
export type Parsed = { events: IDataObject[]; idTexts?: IdTexts[] } | { problem: string };

/** The source text of an event's numeric id fields, by field name. */
export type IdTexts = Map<string, string>;

const JSON_TYPE = /^(application\/json|text\/json|application\/[a-z0-9.+-]+\+json)$/;

/** Only a plain media type or charset token is echoed back in the 400 text. */
const TOKEN = /^[a-z0-9!#$&^_.+/-]{1,100}$/;

function quoted(value: string): string {
	return TOKEN.test(value) ? ` "${value}"` : '';
}

/**
 * A problem with the Content-Type, or undefined when it is JSON (or absent: the body is still
 * parsed as JSON). Other charsets than UTF-8 are refused because the body is decoded as UTF-8.
 */
export function contentTypeProblem(header: string | undefined): string | undefined {
	if (header === undefined || header.trim() === '') return undefined;
	const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
	if (!JSON_TYPE.test(type)) {
		return `Content-Type${quoted(type)} is not supported: send the event as application/json`;
	}
	const charset = params.find((param) => param.startsWith('charset='))?.slice('charset='.length);
	const name = charset?.replace(/"/g, '');
	if (name !== undefined && name !== 'utf-8' && name !== 'utf8') {
		return `Charset${quoted(name)} is not supported: send the body as UTF-8`;
	}
	return undefined;
}

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One item per event: an object is one event, an array of objects is several. */
export function eventsFromJson(value: unknown): Parsed {
	if (isPlainObject(value)) {
		if (!Object.keys(value).length) return { problem: 'The body is an empty JSON object' };
		return { events: [value] };
	}
	if (Array.isArray(value)) {
		if (value.length === 0) return { problem: 'The body is an empty JSON array' };
		if (!value.every(isPlainObject)) {
			return { problem: 'The body is a JSON array, but not every element is an event object' };
		}
		return { events: value };
	}
	return { problem: 'The body must be a JSON object (one event) or an array of objects' };
}

/** Refuses bytes that are not UTF-8, which Buffer.toString would replace with U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses the raw request bytes, so the items are exactly the bytes that were signed. */
export function eventsFromRawBody(rawBody: Buffer): Parsed {
	let text: string;
	try {
		// Replaced bytes would change the event: two events whose ids differ only there would
		// become one, and the second be dropped as its duplicate.
		text = UTF8.decode(rawBody).replace(/^\uFEFF/, '');
	} catch {
		return { problem: 'The body is not valid UTF-8' };
	}
	if (text.trim() === '') return { problem: 'The body is empty' };
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return { problem: 'The body is not valid JSON' };
	}
	const parsed = eventsFromJson(value);
	if ('problem' in parsed || !parsed.events.some(hasNumericId)) return parsed;
	return { ...parsed, idTexts: numericIdTexts(text) };
}

function hasNumericId(event: IDataObject): boolean {
	return EVENT_ID_FIELDS.some((field) => typeof event[field] === 'number');
}

/**
 * Per event, the source text of its top-level numeric id fields, read from JSON text that
 * JSON.parse has already accepted. As in JSON.parse, the last of repeated keys wins.
 */
export function numericIdTexts(text: string): IdTexts[] {
	let at = 0;
	const skipSpace = () => {
		while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
	};
	const skipString = () => {
		at++;
		while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
		at++;
	};
	const skipValue = () => {
		if (text[at] === '"') return skipString();
		if (text[at] !== '{' && text[at] !== '[') {
			while (at < text.length && !',}] \t\n\r'.includes(text[at])) at++;
			return;
		}
		let depth = 0;
		do {
			if (text[at] === '"') {
				skipString();
				continue;
			}
			if (text[at] === '{' || text[at] === '[') depth++;
			else if (text[at] === '}' || text[at] === ']') depth--;
			at++;
		} while (depth > 0);
	};
	const readEvent = (): IdTexts => {
		const texts: IdTexts = new Map();
		at++;
		skipSpace();
		while (text[at] !== '}') {
			const keyStart = at;
			skipString();
			const key = JSON.parse(text.slice(keyStart, at)) as string;
			skipSpace();
			at++;
			skipSpace();
			const valueStart = at;
			skipValue();
			if (EVENT_ID_FIELDS.includes(key)) {
				if (/[-\d]/.test(text[valueStart])) {
					texts.set(key, text.slice(valueStart, at));
				} else {
					texts.delete(key);
				}
			}
			skipSpace();
			if (text[at] === ',') at++;
			skipSpace();
		}
		at++;
		return texts;
	};

	skipSpace();
	if (text[at] === '{') return [readEvent()];
	const events: IdTexts[] = [];
	at++;
	skipSpace();
	while (text[at] !== ']') {
		events.push(readEvent());
		skipSpace();
		if (text[at] === ',') at++;
		skipSpace();
	}
	return events;
}

/** The first of the fields that holds text or a finite number, with its name and type. */
function firstField(
	event: IDataObject,
	fields: string[],
): { field: string; text: string; isNumber: boolean } | undefined {
	for (const field of fields) {
		const value = event[field];
		if (typeof value === 'string' && value.trim() !== '') {
			return { field, text: value.trim(), isNumber: false };
		}
		if (typeof value === 'number' && Number.isFinite(value)) {
			return { field, text: String(value), isNumber: true };
		}
	}
	return undefined;
}

function firstString(event: IDataObject, fields: string[]): string | undefined {
	return firstField(event, fields)?.text;
}

/** From `name`, `event`, `event_name` or `eventName`, the first that holds text. */
export function eventNameOf(event: IDataObject): string | undefined {
	return firstString(event, EVENT_NAME_FIELDS);
}

/** A longer value is not an id and would bloat the workflow's static data. */
const MAX_ID_LENGTH = 256;

/** From `id`, `event_id` or `eventId`. */
export function eventIdOf(event: IDataObject): string | undefined {
	const id = firstString(event, EVENT_ID_FIELDS);
	return id !== undefined && id.length <= MAX_ID_LENGTH ? id : undefined;
}

/**
 * What duplicates are recognised by: the id's field and its JSON value, so `{"id":1}`,
 * `{"id":"1"}` and `{"event_id":"1"}` are three events. A sender repeats a delivery byte for byte,
 * so a repeat always matches; merging fields or types could only drop a distinct event.
 */
export function eventKeyOf(event: IDataObject, idTexts?: IdTexts): string | undefined {
	const id = firstField(event, EVENT_ID_FIELDS);
	if (id === undefined) return undefined;
	// A number is keyed by the digits as sent, never by its rounded double.
	const text = id.isNumber ? (idTexts?.get(id.field) ?? id.text) : JSON.stringify(id.text);
	if (text.length > MAX_ID_LENGTH) return undefined;
	return `${id.field}:${text}`;
}

/** Where an event carries the time it happened (Appcues' event vocabulary). */
export const EVENT_TIME_FIELDS = ['timestamp'];

/**
 * When the event happened, from its `timestamp` field (Unix seconds or milliseconds, or ISO 8601
 * with a zone), or undefined when absent or unreadable.
 */
export function eventTimeOf(event: IDataObject): number | undefined {
	for (const field of EVENT_TIME_FIELDS) {
		const value = event[field];
		if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
			return Math.round(unixTimeToMs(value));
		}
		if (typeof value === 'string') {
			const ms = parseTimestamp(value);
			if (ms !== undefined) return ms;
		}
	}
	return undefined;
}

/** Every flow/experience id the event carries, at the top level or under `attributes`. */
export function experienceIdsOf(event: IDataObject): string[] {
	const ids: string[] = [];
	const sources = isPlainObject(event.attributes) ? [event, event.attributes] : [event];
	for (const source of sources) {
		for (const field of EXPERIENCE_ID_FIELDS) {
			const id = firstString(source, [field]);
			if (id !== undefined) ids.push(id);
		}
	}
	return ids;
}

/**
 * Bulk data formats of the fake Appcues server: an RFC 4180 CSV reader and writer, an NDJSON
 * reader, and the row rules of the bulk import routes (SOURCES.md: Community OpenAPI).
 *
 * No public source gives the row shapes, so the fake picks
 * strict, plausible rules and names the line and the field in every 400:
 * - profiles: `user_id` plus properties; groups: `group_id` plus properties; events: `user_id`,
 *   `name` (at most 127 characters, as the v1 activity route documents), `timestamp` (ISO 8601 or
 *   Unix time), optional `attributes` (an object), optional `group_id`.
 * - Ids must be non-empty strings (a CSV cell is always a string).
 * - CSV: a header row is required; its names are taken verbatim (no trimming, no case folding);
 *   empty cells mean "no value" and set nothing; all values stay strings (CSV has no types);
 *   for events, columns other than user_id/name/timestamp/group_id become attributes.
 * - NDJSON: one JSON object per line, LF or CRLF; only one trailing newline at the very end;
 *   a blank line anywhere else is an error.
 * - A request is all or nothing: one bad row rejects the whole body and nothing is applied.
 * Line numbers are physical lines of the body, starting at 1 (the CSV header is line 1).
 */
import { badRequest } from './problem';

export type ImportKind = 'profiles' | 'groups' | 'events';
export type BulkFormat = 'csv' | 'ndjson';

export interface CsvRecord {
	fields: string[];
	/** Physical line the record starts on, from 1. */
	line: number;
}

/** Parses RFC 4180 CSV: quoted fields, doubled quotes, CRLF/LF and newlines inside quotes. */
export function parseCsvRecords(input: string): CsvRecord[] {
	const records: CsvRecord[] = [];
	eachCsvRecord(input, (fields, line) => records.push({ fields, line }));
	return records;
}

/** Calls `visit` with each record in order (no array of all records is built). */
export function eachCsvRecord(
	input: string,
	visit: (fields: string[], line: number) => void,
): void {
	const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
	let line = 1;
	let index = 0;
	while (index < text.length) {
		const start = line;
		const fields: string[] = [];
		let quotedAny = false;
		for (;;) {
			let field = '';
			if (text[index] === '"') {
				quotedAny = true;
				const openedOn = line;
				index++;
				for (;;) {
					const quote = text.indexOf('"', index);
					if (quote < 0) throw badRequest(`line ${openedOn}: unterminated quoted field`);
					const chunk = text.slice(index, quote);
					for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', at + 1)) line++;
					field += chunk;
					if (text[quote + 1] === '"') {
						field += '"';
						index = quote + 2;
						continue;
					}
					index = quote + 1;
					break;
				}
				const next = text[index];
				if (
					index < text.length &&
					next !== ',' &&
					next !== '\n' &&
					!(next === '\r' && text[index + 1] === '\n')
				) {
					throw badRequest(
						`line ${line}: unexpected character ${JSON.stringify(next)} after a closing quote`,
					);
				}
			} else {
				let end = index;
				while (end < text.length) {
					const code = text.charCodeAt(end);
					if (
						code === 44 /* , */ ||
						code === 10 /* LF */ ||
						(code === 13 && text.charCodeAt(end + 1) === 10)
					)
						break;
					if (code === 34 /* " */) {
						throw badRequest(
							`line ${line}: a quote inside an unquoted field (quote the whole field and double the quote)`,
						);
					}
					end++;
				}
				field = text.slice(index, end);
				index = end;
			}
			fields.push(field);
			if (text[index] === ',') {
				index++;
				continue;
			}
			break;
		}
		if (text[index] === '\r') index++;
		if (text[index] === '\n') {
			index++;
			line++;
		}
		// A blank record is allowed only as trailing blank lines.
		if (
			!quotedAny &&
			fields.length === 1 &&
			fields[0] === '' &&
			/^[\r\n]*$/.test(text.slice(index))
		)
			break;
		visit(fields, start);
	}
}

function checkHeader(header: string[]) {
	header.forEach((name, column) => {
		if (!name) throw badRequest(`line 1: column ${column + 1} of the CSV header has no name`);
		if (header.indexOf(name) !== column)
			throw badRequest(`line 1: the CSV header names column ${JSON.stringify(name)} twice`);
	});
}

function checkWidth(fields: string[], header: string[], line: number) {
	if (fields.length !== header.length) {
		throw badRequest(
			`line ${line}: the row has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}`,
		);
	}
}

/** Parses NDJSON: one JSON object per line; one trailing newline allowed. */
export function parseNdjson(
	input: string,
): Array<{ value: Record<string, unknown>; line: number }> {
	const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
	const lines = text.split('\n');
	if (lines[lines.length - 1] === '') lines.pop();
	return lines.map((raw, index) => {
		const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
		if (!line.trim())
			throw badRequest(`line ${index + 1}: blank line (NDJSON needs one JSON object per line)`);
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (error) {
			throw badRequest(`line ${index + 1}: not valid JSON (${(error as Error).message})`);
		}
		if (!value || typeof value !== 'object' || Array.isArray(value)) {
			throw badRequest(
				`line ${index + 1}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
			);
		}
		return { value: value as Record<string, unknown>, line: index + 1 };
	});
}

const ISO_8601 =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Epoch milliseconds of an import timestamp, or undefined when it cannot be parsed: ISO 8601
 * (date, or date and time with optional seconds, fraction and zone) or Unix time as a number or a
 * string of digits (seconds; 13 digits and more are milliseconds).
 */
export function parseImportTimestamp(value: unknown): number | undefined {
	if (typeof value === 'number')
		return Number.isFinite(value) && value >= 0 ? unixToMs(value) : undefined;
	if (typeof value !== 'string') return undefined;
	if (/^\d{1,16}(\.\d+)?$/.test(value)) return unixToMs(Number(value));
	const match = ISO_8601.exec(value);
	if (!match) return undefined;
	const [, , month, day, hour = '00', minute = '00', second = '00'] = match;
	if (
		+month < 1 ||
		+month > 12 ||
		+day < 1 ||
		+day > 31 ||
		+hour > 23 ||
		+minute > 59 ||
		+second > 60
	)
		return undefined;
	let normalised = value.replace(' ', 'T');
	if (match[4] === undefined) normalised += 'T00:00:00Z';
	normalised = normalised.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
	const ms = Date.parse(normalised);
	if (Number.isNaN(ms)) return undefined;
	// Date.parse rolls 2026-02-30 over into March; a real calendar day must survive the round trip.
	if (new Date(Date.UTC(+match[1], +month - 1, +day)).getUTCDate() !== +day) return undefined;
	return ms;
}

function unixToMs(value: number) {
	return value >= 1e12 ? value : value * 1000;
}

export interface ImportResult {
	/** Rows as they are applied: ids, properties, events. */
	rows: Array<Record<string, unknown>>;
}

const ID_FIELD: Record<ImportKind, string> = {
	profiles: 'user_id',
	groups: 'group_id',
	events: 'user_id',
};
const EVENT_FIELDS = new Set(['user_id', 'name', 'timestamp', 'attributes', 'group_id']);

export function idFieldOf(kind: ImportKind) {
	return ID_FIELD[kind];
}

/** Parses and checks an import body; throws a 400 naming the line and field of the first bad row. */
export function parseImport(
	kind: ImportKind,
	format: BulkFormat,
	text: string,
): Array<Record<string, unknown>> {
	const idField = ID_FIELD[kind];
	let rows: Array<{ value: Record<string, unknown>; line: number }>;
	if (format === 'csv') {
		// Rows are built straight from the records: one object per row even for a 200 MB file.
		rows = [];
		let header: string[] | undefined;
		let required: string[] = [];
		eachCsvRecord(text, (fields, line) => {
			if (!header) {
				header = fields;
				checkHeader(header);
				required = kind === 'events' ? [idField, 'name', 'timestamp'] : [idField];
				for (const column of required) {
					if (!header.includes(column))
						throw badRequest(`the CSV header has no ${column} column (found: ${header.join(',')})`);
				}
				return;
			}
			checkWidth(fields, header, line);
			const value: Record<string, unknown> = {};
			let attributes: Record<string, unknown> | undefined;
			for (let column = 0; column < header.length; column++) {
				const key = header[column];
				const cell = fields[column];
				if (required.includes(key)) value[key] = cell;
				else if (cell === '') continue;
				else if (kind === 'events' && key !== 'group_id') (attributes ??= {})[key] = cell;
				else value[key] = cell;
			}
			if (attributes) value.attributes = attributes;
			rows.push({ value, line });
		});
		if (!header) throw badRequest('the CSV is empty: a header row is required');
	} else {
		rows = parseNdjson(text);
	}
	if (!rows.length) throw badRequest('the body has no rows');

	return rows.map(({ value, line }) => {
		const id = value[idField];
		if (id === undefined || id === null) throw badRequest(`line ${line}: ${idField} is required`);
		if (typeof id !== 'string') throw badRequest(`line ${line}: ${idField} must be a string`);
		if (!id.trim()) throw badRequest(`line ${line}: ${idField} is empty`);
		if (kind !== 'events') return value;
		for (const key of Object.keys(value)) {
			if (!EVENT_FIELDS.has(key))
				throw badRequest(
					`line ${line}: unknown field ${key} (event properties go under attributes)`,
				);
		}
		if (typeof value.name !== 'string' || !value.name)
			throw badRequest(`line ${line}: name is required`);
		if (value.name.length > 127)
			throw badRequest(`line ${line}: name is longer than 127 characters`);
		if (value.timestamp === undefined || value.timestamp === '')
			throw badRequest(`line ${line}: timestamp is required`);
		if (parseImportTimestamp(value.timestamp) === undefined) {
			throw badRequest(
				`line ${line}: timestamp ${JSON.stringify(value.timestamp)} is not ISO 8601 or Unix time`,
			);
		}
		const { attributes } = value;
		if (
			attributes !== undefined &&
			(!attributes || typeof attributes !== 'object' || Array.isArray(attributes))
		) {
			throw badRequest(`line ${line}: attributes must be an object`);
		}
		if (value.group_id !== undefined && (typeof value.group_id !== 'string' || !value.group_id)) {
			throw badRequest(`line ${line}: group_id must be a non-empty string`);
		}
		return value;
	});
}

/**
 * Ids from a single-column CSV.
 * - `headerRequired` (segment membership files): the header must be exactly `user_id`.
 * - otherwise (GDPR files): a first row of `user_id` is taken as a header and skipped.
 */
export function parseIdColumn(
	text: string,
	{ headerRequired }: { headerRequired: boolean },
): string[] {
	const records = parseCsvRecords(text);
	if (!records.length) throw badRequest('the CSV file is empty');
	for (const record of records) {
		if (record.fields.length !== 1) {
			throw badRequest(
				`line ${record.line}: the CSV must have a single user_id column, found ${record.fields.length} columns`,
			);
		}
	}
	const hasHeader = records[0].fields[0] === 'user_id';
	if (headerRequired && !hasHeader) {
		throw badRequest(
			`the CSV header must be user_id (found: ${records[0].fields.join(',') || 'an empty line'})`,
		);
	}
	const rows = hasHeader ? records.slice(1) : records;
	if (!rows.length) throw badRequest('the CSV file has no user ids');
	return rows.map((record) => {
		if (!record.fields[0].trim()) throw badRequest(`line ${record.line}: user_id is empty`);
		return record.fields[0];
	});
}

function csvCell(value: unknown): string {
	if (value === undefined || value === null) return '';
	const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with CRLF line ends; the header is the union of the rows' keys in first-seen order. */
export function toCsv(rows: Array<Record<string, unknown>>, columns?: string[]): string {
	const header = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
	return [header, ...rows.map((row) => header.map((column) => row[column]))]
		.map((cells) => cells.map(csvCell).join(','))
		.join('\r\n')
		.concat('\r\n');
}

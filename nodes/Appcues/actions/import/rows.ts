import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	optionalText,
	parseTimestampMs,
	previewValue,
	readTimestamp,
	scalarText,
} from '../../helpers/input';

export type ImportKind = 'profiles' | 'groups' | 'events';

/** The id column Appcues needs in each kind of import. */
export const ID_COLUMN: Record<ImportKind, string> = {
	profiles: 'user_id',
	groups: 'group_id',
	events: 'user_id',
};

export interface RowSettings {
	kind: ImportKind;
	idField: string;
	propertiesToSend: 'allOther' | 'selected' | 'none';
	propertyFields: string[];
	eventNameField: string;
	timestampField: string;
}

export function readRowSettings(this: IExecuteFunctions, kind: ImportKind): RowSettings {
	const text = (name: string, label: string, fallback: string) =>
		optionalText.call(this, this.getNodeParameter(name, 0, fallback), label, 0) || fallback;
	return {
		kind,
		idField: text(
			'idField',
			kind === 'groups' ? 'Group ID Field' : 'User ID Field',
			ID_COLUMN[kind],
		),
		propertiesToSend: this.getNodeParameter(
			'propertiesToSend',
			0,
			'allOther',
		) as RowSettings['propertiesToSend'],
		propertyFields: text(
			'propertyFields',
			kind === 'events' ? 'Attributes Fields' : 'Properties Fields',
			'',
		)
			.split(',')
			.map((field) => field.trim())
			.filter(Boolean),
		eventNameField: text('eventNameField', 'Event Name Field', 'name'),
		timestampField: text('timestampField', 'Timestamp Field', 'timestamp'),
	};
}

/**
 * Receives a row piece by piece. Rows are never assembled into one string or object: measuring
 * and writing piece by piece keeps the garbage of 100,000 rows small (copies of rows were most
 * of an import's memory).
 */
export type Emit = (text: string) => void;

function present(value: unknown): boolean {
	return (
		value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')
	);
}

/** Why a field that must hold text or a number cannot be sent, or undefined when it can. */
function textProblem(value: unknown, field: string, what: string): string | undefined {
	if (!present(value)) return `"${field}"${what} is missing or empty`;
	if (scalarText(value) === undefined)
		return `"${field}"${what} must be text or a number, not ${previewValue(value)}`;
	return undefined;
}

/** Emits `"key":value` pairs of the fields the settings choose, comma-separated. */
function emitFields(
	json: IDataObject,
	settings: RowSettings,
	used: string[],
	emit: Emit,
	leadingComma: boolean,
): boolean {
	if (settings.propertiesToSend === 'none') return false;
	const keys =
		settings.propertiesToSend === 'selected' ? settings.propertyFields : Object.keys(json);
	// One JSON.stringify of the chosen fields instead of one per key and value: a third of the
	// cost of a bulk import. No prototype, so a "__proto__" field stays an ordinary field.
	const fields: IDataObject = Object.create(null);
	let any = false;
	for (const key of keys) {
		if (settings.propertiesToSend === 'allOther' && used.includes(key)) continue;
		// The ID column is written from the ID Field; an item field of the same name is dropped, so a
		// row never has the key twice.
		if (settings.kind !== 'events' && key === ID_COLUMN[settings.kind]) continue;
		const value = json[key];
		if (value === undefined || typeof value === 'function') continue;
		fields[key] = value;
		any = true;
	}
	if (!any) return false;
	const text = JSON.stringify(fields);
	// "{}" when every value serialises to nothing (a toJSON returning undefined).
	if (text.length === 2) return false;
	emit(leadingComma ? `,${text.slice(1, -1)}` : text.slice(1, -1));
	return true;
}

/** Checks an item; returns why it cannot be imported, or undefined when it can. */
export function rowProblem(json: IDataObject, settings: RowSettings): string | undefined {
	const idProblem = textProblem(json[settings.idField], settings.idField, '');
	if (idProblem) return idProblem;
	if (settings.kind !== 'events') return undefined;
	const nameProblem = textProblem(
		json[settings.eventNameField],
		settings.eventNameField,
		' (the event name)',
	);
	if (nameProblem) return nameProblem;
	const rawTimestamp = json[settings.timestampField];
	if (!present(rawTimestamp)) return `"${settings.timestampField}" (the timestamp) is missing`;
	const reading = readTimestamp(rawTimestamp);
	if ('problem' in reading) {
		return `"${settings.timestampField}" ${reading.problem}: ${previewValue(rawTimestamp)}`;
	}
	return undefined;
}

/**
 * Emits one NDJSON row (without its newline) for an item that passed `rowProblem`:
 * profiles `{...properties, "user_id"}`, groups `{...properties, "group_id"}`, events
 * `{"user_id", "name", "timestamp" (ISO 8601), "attributes"?}`.
 */
export function emitRow(json: IDataObject, settings: RowSettings, emit: Emit): void {
	const idColumn = JSON.stringify(ID_COLUMN[settings.kind]);
	const idPair = `${idColumn}:${JSON.stringify(scalarText(json[settings.idField]))}`;
	emit('{');
	if (settings.kind !== 'events') {
		const any = emitFields(json, settings, [settings.idField], emit, false);
		emit(any ? `,${idPair}}` : `${idPair}}`);
		return;
	}
	const timestamp = new Date(
		parseTimestampMs(json[settings.timestampField]) as number,
	).toISOString();
	emit(idPair);
	emit(`,"name":`);
	emit(JSON.stringify(scalarText(json[settings.eventNameField])));
	emit(`,"timestamp":"${timestamp}"`);
	const used = [settings.idField, settings.eventNameField, settings.timestampField];
	if (settings.propertiesToSend !== 'none' && hasFields(json, settings, used)) {
		emit(',"attributes":{');
		emitFields(json, settings, used, emit, false);
		emit('}');
	}
	emit('}');
}

function hasFields(json: IDataObject, settings: RowSettings, used: string[]): boolean {
	const keys =
		settings.propertiesToSend === 'selected' ? settings.propertyFields : Object.keys(json);
	return keys.some(
		(key) =>
			!(settings.propertiesToSend === 'allOther' && used.includes(key)) &&
			json[key] !== undefined &&
			typeof json[key] !== 'function',
	);
}

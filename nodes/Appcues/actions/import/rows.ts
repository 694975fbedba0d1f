import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	optionalText,
	parseTimestampMs,
	previewValue,
	readTimestamp,
	scalarText,
	readChoice,
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
		propertiesToSend: readChoice.call(
			this,
			'propertiesToSend',
			kind === 'events' ? 'Attributes to Send' : 'Properties to Send',
			0,
			kind === 'events' ? ['allOther', 'selected', 'none'] : ['allOther', 'selected'],
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

/**
 * The fields the settings choose, as a new plain object (V8's fast path for JSON.stringify: rows
 * of one shape share it), leaving out the `excluded` keys.
 */
function chosenFields(json: IDataObject, settings: RowSettings, excluded: string[]): IDataObject {
	const fields: IDataObject = {};
	if (settings.propertiesToSend === 'none') return fields;
	const keys =
		settings.propertiesToSend === 'selected' ? settings.propertyFields : Object.keys(json);
	for (const key of keys) {
		const value = json[key];
		if (value === undefined || typeof value === 'function' || excluded.includes(key)) continue;
		// An own "__proto__" field stays a field (an assignment would set the prototype).
		if (key === '__proto__')
			Object.defineProperty(fields, key, { value, enumerable: true, writable: true });
		else fields[key] = value;
	}
	return fields;
}

/**
 * The keys a row leaves out of its properties: the fields used for the ID, name and timestamp
 * (with All Other Fields), and the ID column, which is written from the ID Field, so a row never
 * has the key twice.
 */
function excludedKeys(settings: RowSettings, used: string[]): string[] {
	const excluded = settings.propertiesToSend === 'allOther' ? [...used] : [];
	if (settings.kind !== 'events') excluded.push(ID_COLUMN[settings.kind]);
	return excluded;
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
 * One NDJSON row (without its newline) for an item that passed `rowProblem`, in one
 * JSON.stringify: profiles `{...properties, "user_id"}`, groups `{...properties, "group_id"}`,
 * events `{"user_id", "name", "timestamp" (ISO 8601), "attributes"?}`.
 */
export function rowText(json: IDataObject, settings: RowSettings): string {
	const id = scalarText(json[settings.idField]);
	if (settings.kind !== 'events') {
		const row = chosenFields(json, settings, excludedKeys(settings, [settings.idField]));
		row[ID_COLUMN[settings.kind]] = id;
		return JSON.stringify(row);
	}
	const row: IDataObject = {
		user_id: id,
		name: scalarText(json[settings.eventNameField]),
		timestamp: new Date(parseTimestampMs(json[settings.timestampField]) as number).toISOString(),
	};
	const used = [settings.idField, settings.eventNameField, settings.timestampField];
	const attributes = chosenFields(json, settings, excludedKeys(settings, used));
	if (Object.keys(attributes).length) row.attributes = attributes;
	return JSON.stringify(row);
}

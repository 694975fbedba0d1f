import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { parseTimestampMs } from '../../helpers/input';

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
	const text = (name: string, fallback: string) => String(this.getNodeParameter(name, 0, fallback) ?? '').trim() || fallback;
	return {
		kind,
		idField: text('idField', ID_COLUMN[kind]),
		propertiesToSend: this.getNodeParameter('propertiesToSend', 0, 'allOther') as RowSettings['propertiesToSend'],
		propertyFields: String(this.getNodeParameter('propertyFields', 0, '') ?? '')
			.split(',')
			.map((field) => field.trim())
			.filter(Boolean),
		eventNameField: text('eventNameField', 'name'),
		timestampField: text('timestampField', 'timestamp'),
	};
}

export type RowResult = { row: IDataObject } | { problem: string };

function present(value: unknown): boolean {
	return value !== undefined && value !== null && String(value).trim() !== '';
}

/** The properties (or event attributes) of one item, as the settings choose them. */
function pickFields(json: IDataObject, settings: RowSettings, used: string[]): IDataObject {
	if (settings.propertiesToSend === 'none') return {};
	if (settings.propertiesToSend === 'selected') {
		const picked: IDataObject = {};
		for (const field of settings.propertyFields) if (json[field] !== undefined) picked[field] = json[field];
		return picked;
	}
	const rest: IDataObject = {};
	for (const [key, value] of Object.entries(json)) if (!used.includes(key)) rest[key] = value;
	return rest;
}

/** Builds one NDJSON row from an item, or says why the item cannot be imported. */
export function buildRow(json: IDataObject, settings: RowSettings): RowResult {
	const id = json[settings.idField];
	if (!present(id)) return { problem: `"${settings.idField}" is missing or empty` };
	const idColumn = ID_COLUMN[settings.kind];
	if (settings.kind !== 'events') {
		return { row: { ...pickFields(json, settings, [settings.idField]), [idColumn]: String(id).trim() } };
	}
	const name = json[settings.eventNameField];
	if (!present(name)) return { problem: `"${settings.eventNameField}" (the event name) is missing or empty` };
	const rawTimestamp = json[settings.timestampField];
	if (!present(rawTimestamp)) return { problem: `"${settings.timestampField}" (the timestamp) is missing` };
	const timestamp = parseTimestampMs(rawTimestamp);
	if (timestamp === undefined) {
		return { problem: `"${settings.timestampField}" is not a valid timestamp: ${JSON.stringify(rawTimestamp).slice(0, 60)}` };
	}
	const row: IDataObject = {
		user_id: String(id).trim(),
		name: String(name),
		timestamp: new Date(timestamp).toISOString(),
	};
	const attributes = pickFields(json, settings, [settings.idField, settings.eventNameField, settings.timestampField]);
	if (Object.keys(attributes).length) row.attributes = attributes;
	return { row };
}

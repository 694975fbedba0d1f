import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { EXPORT_FORMATS, exportEmailField, exportFormatField } from '../../helpers/descriptions';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import {
	jsonArray,
	optionalText,
	previewValue,
	readChoice,
	readTimestamp,
	requiredString,
} from '../../helpers/input';
import { finishJob, readWaitSettings, waitFields } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { itemError } from '../../helpers/errors';
import { readIsoTime } from '../../../shared/isoTime';
import { isPlausibleTimeMs } from '../../../shared/unixTime';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['export'], operation: ['events'] } },
	[
		{
			displayName: 'Start Time',
			name: 'startTime',
			type: 'dateTime',
			required: true,
			default: '',
			description:
				'Start of the period to export. A date and time without a zone is read in the ' +
				'Time Zone below; one with a zone, Unix time or a date from an expression ' +
				'is converted to it. A date that does not exist (2026-02-30) is refused.',
		},
		{
			displayName: 'End Time',
			name: 'endTime',
			type: 'dateTime',
			required: true,
			default: '',
			description: 'End of the period to export, after the start; read like Start Time',
		},
		exportFormatField,
		exportEmailField,
		{
			displayName: 'Conditions (JSON)',
			name: 'conditions',
			type: 'json',
			default: '[]',
			description:
				'Filters as [field, operator, value] triples, e.g. [["name", "like", "appcues:flow%"]]. ' +
				'Operators: ==, !=, in, not in, like, ilike, not like, not ilike.',
		},
		{
			displayName: 'Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '00:00',
			description:
				'Time zone of the start and end times, as Appcues expects it: a UTC offset ' +
				'such as 00:00 or -05:00, or a name such as America/New_York. Empty: ' +
				'times without a zone are left to Appcues, and converted times are sent in UTC.',
		},
		...waitFields,
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const timeZoneText = optionalText.call(
		this,
		this.getNodeParameter('timeZone', itemIndex, ''),
		'Time Zone',
		itemIndex,
	);
	const zone = readTimeZone.call(this, timeZoneText, itemIndex);
	const start = readExportTime.call(this, 'startTime', 'Start Time', zone, itemIndex);
	const end = readExportTime.call(this, 'endTime', 'End Time', zone, itemIndex);
	if (end.wallMs <= start.wallMs) {
		throw itemError(this.getNode(), 'End Time must be after Start Time', {
			description: `Got ${start.text} to ${end.text}${zone ? ` (Time Zone ${zone.text})` : ''}.`,
			itemIndex,
		});
	}
	const request: IDataObject = {
		format: readChoice.call(this, 'format', 'Format', itemIndex, EXPORT_FORMATS, 'csv'),
		start_time: start.text,
		end_time: end.text,
	};
	const conditions = jsonArray.call(
		this,
		this.getNodeParameter('conditions', itemIndex, '[]'),
		'Conditions (JSON)',
		itemIndex,
	);
	if (conditions.length) request.conditions = conditions;
	// An instant was written as UTC wall clock when no Time Zone was given, so UTC is sent with it.
	if (zone) request.time_zone = zone.text;
	else if (start.converted || end.converted) request.time_zone = '00:00';
	const email = optionalText.call(
		this,
		this.getNodeParameter('email', itemIndex, ''),
		'Email',
		itemIndex,
	);
	if (email) request.email = email;
	return { request, wait: readWaitSettings.call(this, itemIndex) };
}

interface TimeZone {
	text: string;
	/** The wall clock of an instant in this zone, read as UTC. */
	wallMs(ms: number): number;
}

/** An offset (00:00, -05:00, +05:30) or an IANA name (America/New_York); empty gives undefined. */
function readTimeZone(
	this: IExecuteFunctions,
	text: string,
	itemIndex: number,
): TimeZone | undefined {
	if (!text) return undefined;
	const offset = /^([+-]?)(\d{2}):(\d{2})$/.exec(text);
	if (offset && Number(offset[2]) <= 23 && Number(offset[3]) <= 59) {
		const minutes = (Number(offset[2]) * 60 + Number(offset[3])) * (offset[1] === '-' ? -1 : 1);
		return { text, wallMs: (ms) => ms + minutes * 60_000 };
	}
	let format: Intl.DateTimeFormat | undefined;
	try {
		if (!offset)
			format = new Intl.DateTimeFormat('en-US', {
				timeZone: text,
				hourCycle: 'h23',
				year: 'numeric',
				month: 'numeric',
				day: 'numeric',
				hour: 'numeric',
				minute: 'numeric',
				second: 'numeric',
			});
	} catch {
		format = undefined;
	}
	if (!format) {
		throw itemError(
			this.getNode(),
			`Time Zone ${JSON.stringify(text)} is not a UTC offset or a time zone name`,
			{
				description: 'Use an offset such as 00:00 or -05:00, or a name such as America/New_York.',
				itemIndex,
			},
		);
	}
	const zoneFormat = format;
	return {
		text,
		wallMs: (ms) => {
			const parts = Object.fromEntries(
				zoneFormat.formatToParts(new Date(ms)).map((part) => [part.type, Number(part.value)]),
			);
			const wall = new Date(0);
			wall.setUTCFullYear(parts.year, parts.month - 1, parts.day);
			wall.setUTCHours(parts.hour, parts.minute, parts.second, ms % 1000);
			return wall.getTime();
		},
	};
}

/**
 * A start or end time as Appcues' export reads it: a wall-clock time in the Time Zone, e.g.
 * "2023-04-19T00:00:00" with "time_zone": "00:00". Text without a zone is sent as given once its
 * date is checked to exist; an instant (text with a zone, Unix time, a date from an expression
 * such as {{ $now }}) is written as the wall clock of the Time Zone (UTC when none), so it keeps
 * its meaning.
 */
function readExportTime(
	this: IExecuteFunctions,
	name: string,
	label: string,
	zone: TimeZone | undefined,
	itemIndex: number,
): { text: string; wallMs: number; converted: boolean } {
	const raw = this.getNodeParameter(name, itemIndex, '') as unknown;
	const value =
		raw !== null && typeof raw === 'object'
			? raw
			: requiredString.call(this, name, label, itemIndex);
	const fail = (problem: string) =>
		itemError(this.getNode(), `${label} ${problem}`, {
			description:
				`Got ${previewValue(value)}. ` +
				'Use ISO 8601, e.g. 2026-01-31T00:00:00 (read in the Time Zone), ' +
				'2026-01-31 or 2026-01-31T00:00:00Z, or Unix seconds or milliseconds, ' +
				'from the year 1970 to 9999.',
			itemIndex,
		});
	const local = typeof value === 'string' ? readIsoTime(value) : undefined;
	if (local?.kind === 'local') {
		if (!isPlausibleTimeMs(local.wallMs)) throw fail('is not a valid date');
		return { text: value as string, wallMs: local.wallMs, converted: false };
	}
	const reading = readTimestamp(value);
	if ('problem' in reading) {
		throw fail(
			reading.problem === 'is not a valid timestamp' ? 'is not a valid date' : reading.problem,
		);
	}
	const wallMs = zone ? zone.wallMs(reading.ms) : reading.ms;
	const iso = new Date(wallMs).toISOString();
	return {
		text: iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23),
		wallMs,
		converted: true,
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ request, wait }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const accepted = await client.request({
		method: 'POST',
		path: '/export/events',
		body: request,
		itemIndex,
	});
	return await finishJob.call(this, client, accepted, itemIndex, wait);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { exportEmailField, exportFormatField } from '../../helpers/descriptions';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import {
	jsonArray,
	optionalText,
	parseTimestampMs,
	previewValue,
	requiredString,
} from '../../helpers/input';
import { finishJob, readWaitSettings, waitFields } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { itemError } from '../../helpers/errors';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['export'], operation: ['events'] } },
	[
		{
			displayName: 'Start Time',
			name: 'startTime',
			type: 'dateTime',
			required: true,
			default: '',
			description: 'Start of the period to export',
		},
		{
			displayName: 'End Time',
			name: 'endTime',
			type: 'dateTime',
			required: true,
			default: '',
			description: 'End of the period to export',
		},
		exportFormatField,
		exportEmailField,
		{
			displayName: 'Conditions (JSON)',
			name: 'conditions',
			type: 'json',
			default: '[]',
			description:
				'Filters as [field, operator, value] triples, e.g. [["name", "like", "appcues:flow%"]]. Operators: ==, !=, in, not in, like, ilike, not like, not ilike.',
		},
		{
			displayName: 'Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '00:00',
			description:
				'UTC offset the start and end times are in, as Appcues expects it, e.g. 00:00 or -05:00',
		},
		...waitFields,
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const time = (name: string, label: string) => {
		const raw = this.getNodeParameter(name, itemIndex, '') as unknown;
		// A date from an expression ($now, a Date) is sent as ISO 8601; text and numbers as given.
		const value =
			raw !== null && typeof raw === 'object'
				? raw
				: requiredString.call(this, name, label, itemIndex);
		const ms = parseTimestampMs(value);
		if (ms === undefined) {
			throw itemError(this.getNode(), `${label} is not a valid date`, {
				description: `Got ${previewValue(value)}. Use ISO 8601, e.g. 2026-01-31T00:00:00.`,
				itemIndex,
			});
		}
		return typeof value === 'string' ? value : new Date(ms).toISOString();
	};
	const request: IDataObject = {
		format: this.getNodeParameter('format', itemIndex, 'csv'),
		start_time: time('startTime', 'Start Time'),
		end_time: time('endTime', 'End Time'),
	};
	const conditions = jsonArray.call(
		this,
		this.getNodeParameter('conditions', itemIndex, '[]'),
		'Conditions (JSON)',
		itemIndex,
	);
	if (conditions.length) request.conditions = conditions;
	const timeZone = optionalText.call(
		this,
		this.getNodeParameter('timeZone', itemIndex, ''),
		'Time Zone',
		itemIndex,
	);
	if (timeZone) request.time_zone = timeZone;
	const email = optionalText.call(
		this,
		this.getNodeParameter('email', itemIndex, ''),
		'Email',
		itemIndex,
	);
	if (email) request.email = email;
	return { request, wait: readWaitSettings.call(this, itemIndex) };
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

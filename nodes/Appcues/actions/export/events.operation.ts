import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { exportEmailField, exportFormatField } from '../../helpers/descriptions';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { jsonArray, parseTimestampMs, requiredString } from '../../helpers/input';
import { finishJob, readWaitSettings, waitFields } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';

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
			description: 'UTC offset the start and end times are in, as Appcues expects it, e.g. 00:00 or -05:00',
		},
		...waitFields,
	],
);

export async function execute(this: IExecuteFunctions, client: AppcuesClient, itemIndex: number) {
	const time = (name: string, label: string) => {
		const value = requiredString.call(this, name, label, itemIndex);
		if (parseTimestampMs(value) === undefined) {
			throw new NodeOperationError(this.getNode(), `${label} is not a valid date [item ${itemIndex}]`, {
				description: `Got "${value}". Use ISO 8601, e.g. 2026-01-31T00:00:00.`,
				itemIndex,
			});
		}
		return value;
	};
	const request: IDataObject = {
		format: this.getNodeParameter('format', itemIndex, 'csv'),
		start_time: time('startTime', 'Start Time'),
		end_time: time('endTime', 'End Time'),
	};
	const conditions = jsonArray.call(this, this.getNodeParameter('conditions', itemIndex, '[]'), 'Conditions (JSON)', itemIndex);
	if (conditions.length) request.conditions = conditions;
	const timeZone = String(this.getNodeParameter('timeZone', itemIndex, '') ?? '').trim();
	if (timeZone) request.time_zone = timeZone;
	const email = String(this.getNodeParameter('email', itemIndex, '') ?? '').trim();
	if (email) request.email = email;
	const accepted = await client.request({ method: 'POST', path: '/export/events', body: request, itemIndex });
	return await finishJob.call(this, client, accepted, itemIndex, readWaitSettings.call(this, itemIndex));
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { userIdField } from '../../helpers/descriptions';
import {
	jsonObject,
	optionalText,
	requiredId,
	requiredString,
	toIsoTimestamp,
} from '../../helpers/input';
import { readItemFields } from '../../helpers/itemField';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['trackEvent'] } },
	[
		userIdField('The ID of the end user; Appcues creates the user if it does not exist yet'),
		{
			displayName: 'Event Name',
			name: 'eventName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. report_exported',
			description: 'Name of the event. A new name creates a new event in Appcues.',
		},
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{
					displayName: 'Attributes (JSON)',
					name: 'attributes',
					type: 'json',
					default: '{}',
					description: 'Attributes of the event, as a JSON object',
				},
				{
					displayName: 'Group ID',
					name: 'groupId',
					type: 'string',
					default: '',
					description: 'Group (account) the event belongs to; also associates the user with it',
				},
				{
					displayName: 'Timestamp',
					name: 'timestamp',
					type: 'string',
					default: '',
					placeholder: 'e.g. 2026-01-31T12:00:00Z',
					description:
						'When the event happened: ISO 8601 with a zone (2026-01-31T12:00:00Z ' +
						'or +02:00), a date alone (midnight UTC), or Unix seconds or ' +
						'milliseconds. Empty means now. A date and time without a zone, ' +
						'or a date that does not exist (2026-02-30), is refused.',
				},
			],
		},
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const userId = requiredId.call(this, 'userId', 'User ID', itemIndex);
	const name = requiredString.call(this, 'eventName', 'Event Name', itemIndex);
	const fields = readItemFields(this, 'additionalFields', itemIndex, {}) as IDataObject;
	const event: IDataObject = {
		name,
		timestamp: toIsoTimestamp.call(this, fields.timestamp, 'Timestamp', itemIndex),
	};
	const attributes = jsonObject.call(this, fields.attributes, 'Attributes (JSON)', itemIndex);
	if (Object.keys(attributes).length) event.attributes = attributes;
	const groupId = optionalText.call(this, fields.groupId, 'Group ID', itemIndex);
	if (groupId) event.group_id = groupId;
	return { userId, event };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ userId, event }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'POST',
		path: path`/users/${userId}/events`,
		body: event,
		itemIndex,
	});
	return { user_id: userId, ...objectOr(body, { tracked: true, ...event }) };
}

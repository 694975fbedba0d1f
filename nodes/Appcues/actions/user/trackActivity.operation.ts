import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { userIdField } from '../../helpers/descriptions';
import { jsonObject, optionalText, requiredId, toIsoTimestamp } from '../../helpers/input';
import { propertiesFields, readProperties } from '../../helpers/properties';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { itemError } from '../../helpers/errors';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['trackActivity'] } },
	[
		{
			displayName:
				'Uses the legacy v1 API. It sends the Legacy API Key of the ' +
				'credential when one is set, and otherwise no credentials at all ' +
				'(as Appcues documents the call): never the API key and secret.',
			name: 'legacyNotice',
			type: 'notice',
			default: '',
		},
		userIdField('The ID of the end user; Appcues creates the user if it does not exist yet'),
		{
			displayName: 'Events',
			name: 'events',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Event',
			default: {},
			options: [
				{
					displayName: 'Event',
					name: 'event',
					values: [
						{
							displayName: 'Name',
							name: 'name',
							type: 'string',
							default: '',
							placeholder: 'e.g. clicked widget',
						},
						{
							displayName: 'Timestamp',
							name: 'timestamp',
							type: 'string',
							default: '',
							description:
								'ISO 8601 with a zone (2026-01-31T12:00:00Z or +02:00), a date alone ' +
								'(midnight UTC), or Unix seconds or milliseconds. Empty means now. ' +
								'A date and time without a zone, or a date that does not exist, is refused.',
						},
						{
							displayName: 'Attributes (JSON)',
							name: 'attributes',
							type: 'json',
							default: '{}',
						},
					],
				},
			],
		},
		...propertiesFields('Profile Update', 'Profile properties to set on the user'),
		{
			displayName: 'Request ID',
			name: 'requestId',
			type: 'string',
			default: '',
			description:
				'Optional text that Appcues returns with the response, to match it to this request',
		},
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const userId = requiredId.call(this, 'userId', 'User ID', itemIndex);
	const rows = this.getNodeParameter('events.event', itemIndex, []) as IDataObject[];
	const events = rows.map((row, position) => {
		const name = optionalText.call(
			this,
			row.name,
			`Events: name of event ${position + 1}`,
			itemIndex,
		);
		if (!name) {
			throw itemError(this.getNode(), `Events: event ${position + 1} has no name`, {
				itemIndex,
			});
		}
		const event: IDataObject = {
			name,
			timestamp: toIsoTimestamp.call(
				this,
				row.timestamp,
				`Events: timestamp of event ${position + 1}`,
				itemIndex,
			),
		};
		const attributes = jsonObject.call(
			this,
			row.attributes,
			`Events: attributes of event ${position + 1}`,
			itemIndex,
		);
		if (Object.keys(attributes).length) event.attributes = attributes;
		return event;
	});
	const profileUpdate = readProperties.call(this, itemIndex, 'Profile Update');
	if (!events.length && !Object.keys(profileUpdate).length) {
		throw itemError(this.getNode(), `Nothing to send: add events or a profile update`, {
			itemIndex,
		});
	}
	const activity: IDataObject = {};
	if (events.length) activity.events = events;
	if (Object.keys(profileUpdate).length) activity.profile_update = profileUpdate;
	const requestId = optionalText.call(
		this,
		this.getNodeParameter('requestId', itemIndex, ''),
		'Request ID',
		itemIndex,
	);
	if (requestId) activity.request_id = requestId;
	return { userId, activity, requestId };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ userId, activity, requestId }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'POST',
		scope: 'v1',
		// Appcues documents no auth for this call, and its own v1 client sends none: the API secret
		// is not needed here, so it is not sent.
		auth: (await client.hasLegacyKey()) ? 'legacyKey' : 'none',
		path: path`/users/${userId}/activity`,
		body: activity,
		itemIndex,
	});
	return objectOr(body, {
		user_id: userId,
		success: body !== false,
		...(requestId ? { request_id: requestId } : {}),
	});
}

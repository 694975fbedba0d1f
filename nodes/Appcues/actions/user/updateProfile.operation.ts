import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { userIdField } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { propertiesFields, readProfileUpdate } from '../../helpers/properties';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['updateProfile'] } },
	[
		userIdField('The ID of the end user; Appcues creates the user if it does not exist yet'),
		...propertiesFields('Properties', 'Profile properties to set on the user'),
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		userId: requiredId.call(this, 'userId', 'User ID', itemIndex),
		properties: readProfileUpdate.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ userId, properties }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'PATCH',
		path: path`/users/${userId}/profile`,
		body: properties,
		itemIndex,
	});
	// Appcues answers little ({"status": 200}); the id keeps the item useful downstream.
	return { user_id: userId, ...objectOr(body, { updated: true, properties }) };
}

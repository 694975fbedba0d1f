import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { groupIdField } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { propertiesFields, readProfileUpdate } from '../../helpers/properties';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['group'], operation: ['updateProfile'] } },
	[
		groupIdField('The ID of the group; Appcues creates the group if it does not exist yet'),
		...propertiesFields('Properties', 'Profile properties to set on the group'),
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		groupId: requiredId.call(this, 'groupId', 'Group ID', itemIndex),
		properties: readProfileUpdate.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ groupId, properties }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'PATCH',
		path: path`/groups/${groupId}/profile`,
		body: properties,
		itemIndex,
	});
	return { group_id: groupId, ...objectOr(body, { updated: true, properties }) };
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { groupIdField } from '../../helpers/descriptions';
import { readIdList, requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['group'], operation: ['addUsers'] } },
	[
		groupIdField(),
		{
			displayName: 'User IDs',
			name: 'userIds',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. user-1, user-2',
			description:
				'IDs of the end users to associate with the group: a list from an expression ' +
				'(one ID per entry), or text split on commas and new lines only ("a;b" is one ID)',
		},
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		groupId: requiredId.call(this, 'groupId', 'Group ID', itemIndex),
		// Each ID once, as Segment > Add Users sends them: the count in the output is of users.
		userIds: [...new Set(readIdList.call(this, 'userIds', 'User IDs', itemIndex))],
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ groupId, userIds }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	// Appcues defines only POST for /groups/:group_id/users (its CLI changelog 0.1.2).
	const body = await client.request({
		method: 'POST',
		path: path`/groups/${groupId}/users`,
		body: { user_ids: userIds },
		itemIndex,
	});
	return objectOr(body, { group_id: groupId, added: userIds.length, user_ids: userIds });
}

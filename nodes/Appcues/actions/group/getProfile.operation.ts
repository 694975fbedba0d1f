import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { groupIdField } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['group'], operation: ['getProfile'] } },
	[groupIdField()],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { groupId: requiredId.call(this, 'groupId', 'Group ID', itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ groupId }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'GET',
		path: path`/groups/${groupId}/profile`,
		itemIndex,
	});
	return objectOr(body, { group_id: groupId });
}

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

export async function execute(this: IExecuteFunctions, client: AppcuesClient, itemIndex: number) {
	const groupId = requiredId.call(this, 'groupId', 'Group ID', itemIndex);
	const body = await client.request({ method: 'GET', path: path`/groups/${groupId}/profile`, itemIndex });
	return objectOr(body, { group_id: groupId });
}

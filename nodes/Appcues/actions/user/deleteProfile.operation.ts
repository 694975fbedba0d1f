import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { userIdField } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['deleteProfile'] } },
	[userIdField()],
);

export async function execute(this: IExecuteFunctions, client: AppcuesClient, itemIndex: number) {
	const userId = requiredId.call(this, 'userId', 'User ID', itemIndex);
	await client.request({ method: 'DELETE', path: path`/users/${userId}/profile`, itemIndex });
	return { deleted: true };
}

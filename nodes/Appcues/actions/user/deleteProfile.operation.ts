import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { userIdField } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['deleteProfile'] } },
	[userIdField()],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { userId: requiredId.call(this, 'userId', 'User ID', itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ userId }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'DELETE',
		path: path`/users/${userId}/profile`,
		itemIndex,
	});
	// Appcues usually answers 204; whatever it does send (a job to follow, say) is kept.
	return { deleted: true, ...objectOr(body, {}) };
}

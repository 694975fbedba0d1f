import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { limitField, readLimitNumber, userIdField } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { asList } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['getEvents'] } },
	[userIdField(), limitField],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		userId: requiredId.call(this, 'userId', 'User ID', itemIndex),
		limit: readLimitNumber.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ userId, limit }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'GET',
		path: path`/users/${userId}/events`,
		qs: { limit },
		itemIndex,
	});
	// Appcues applies the limit; slicing again guards against a server that ignores it.
	return asList(body, 'events').slice(0, limit);
}

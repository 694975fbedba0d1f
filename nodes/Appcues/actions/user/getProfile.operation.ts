import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { userIdField } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import {
	readOutputChoice,
	shapeOutput,
	simplifyProfile,
	toolOutputFields,
	type OutputShape,
} from '../../helpers/toolOutput';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['getProfile'] } },
	[
		userIdField(),
		...toolOutputFields({
			simplified:
				'The ID and up to nine properties set by you, without Appcues\' automatic "_" properties',
		}),
	],
);

const OUTPUT: OutputShape = { always: ['user_id'], simplified: simplifyProfile('user_id') };

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		userId: requiredId.call(this, 'userId', 'User ID', itemIndex),
		output: readOutputChoice.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ userId, output }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'GET',
		path: path`/users/${userId}/profile`,
		itemIndex,
	});
	return shapeOutput([objectOr(body, { user_id: userId })], output, OUTPUT)[0];
}

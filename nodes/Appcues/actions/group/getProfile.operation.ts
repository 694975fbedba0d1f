import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { groupIdField } from '../../helpers/descriptions';
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
	{ show: { resource: ['group'], operation: ['getProfile'] } },
	[
		groupIdField(),
		...toolOutputFields({
			simplified:
				'The ID and up to nine properties set by you, without Appcues\' automatic "_" properties',
		}),
	],
);

const OUTPUT: OutputShape = { always: ['group_id'], simplified: simplifyProfile('group_id') };

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		groupId: requiredId.call(this, 'groupId', 'Group ID', itemIndex),
		output: readOutputChoice.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ groupId, output }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'GET',
		path: path`/groups/${groupId}/profile`,
		itemIndex,
	});
	return shapeOutput([objectOr(body, { group_id: groupId })], output, OUTPUT)[0];
}

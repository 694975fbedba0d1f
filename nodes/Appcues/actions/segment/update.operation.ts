import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { segmentLocator } from '../../helpers/descriptions';
import { optionalText, requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { itemError } from '../../helpers/errors';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['segment'], operation: ['update'] } },
	[
		segmentLocator,
		{
			displayName: 'Update Fields',
			name: 'updateFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{ displayName: 'Description', name: 'description', type: 'string', default: '' },
				{ displayName: 'Name', name: 'name', type: 'string', default: '' },
			],
		},
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const segmentId = requiredId.call(this, 'segmentId', 'Segment', itemIndex);
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const changes: IDataObject = {};
	if (fields.name !== undefined) {
		const name = optionalText.call(this, fields.name, 'Update Fields: Name', itemIndex);
		if (!name) {
			throw itemError(this.getNode(), `Update Fields: Name is empty`, { itemIndex });
		}
		changes.name = name;
	}
	if (fields.description !== undefined) {
		changes.description = optionalText.call(
			this,
			fields.description,
			'Update Fields: Description',
			itemIndex,
		);
	}
	if (!Object.keys(changes).length) {
		throw itemError(this.getNode(), `Nothing to update`, {
			description: 'Add a Name or a Description under Update Fields.',
			itemIndex,
		});
	}
	return { segmentId, changes };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ segmentId, changes }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'PATCH',
		path: path`/segments/${segmentId}`,
		body: changes,
		itemIndex,
	});
	return objectOr(body, { id: segmentId, ...changes });
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { optionalText, requiredString } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['segment'], operation: ['create'] } },
	[
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. Power Users',
		},
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			default: '',
			placeholder: 'e.g. Users on the pro plan',
		},
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const segment: IDataObject = { name: requiredString.call(this, 'name', 'Name', itemIndex) };
	const text = optionalText.call(
		this,
		this.getNodeParameter('description', itemIndex, ''),
		'Description',
		itemIndex,
	);
	if (text) segment.description = text;
	return { segment };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ segment }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({
		method: 'POST',
		path: '/segments',
		body: segment,
		itemIndex,
	});
	return objectOr(body, segment);
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { applyLimit, readLimit, returnAllFields } from '../../helpers/descriptions';
import { asList } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['tag'], operation: ['getAll'] } },
	returnAllFields,
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { limit: readLimit.call(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ limit }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: '/tags', itemIndex });
	return applyLimit(asList(body, 'tags'), limit);
}

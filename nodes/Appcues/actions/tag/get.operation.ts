import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { tagLocator } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['tag'], operation: ['get'] } },
	[tagLocator],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { tagId: requiredId.call(this, 'tagId', 'Tag', itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ tagId }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: path`/tags/${tagId}`, itemIndex });
	return objectOr(body, { id: tagId });
}

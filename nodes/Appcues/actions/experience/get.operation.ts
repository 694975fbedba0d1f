import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { experienceLocator } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { experienceType } from './experienceType';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['experience'], operation: ['get'] } },
	[experienceLocator],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		type: experienceType.call(this, itemIndex),
		id: requiredId.call(this, 'experienceId', 'Experience', itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ type, id }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: path`/${type}/${id}`, itemIndex });
	return objectOr(body, { id });
}

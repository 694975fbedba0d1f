import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { applyLimit, readLimit, returnAllFields } from '../../helpers/descriptions';
import { asList } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { experienceType } from './common';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['experience'], operation: ['getAll'] } },
	returnAllFields,
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { type: experienceType.call(this, itemIndex), limit: readLimit.call(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ type, limit }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: path`/${type}`, itemIndex });
	return applyLimit(asList(body), limit);
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { applyLimit, returnAllFields } from '../../helpers/descriptions';
import { asList } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { experienceType } from './common';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['experience'], operation: ['getAll'] } },
	returnAllFields,
);

export async function execute(this: IExecuteFunctions, client: AppcuesClient, itemIndex: number) {
	const type = experienceType.call(this, itemIndex);
	const body = await client.request({ method: 'GET', path: path`/${type}`, itemIndex });
	return applyLimit.call(this, asList(body), itemIndex);
}

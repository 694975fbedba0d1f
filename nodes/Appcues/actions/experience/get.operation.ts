import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { experienceLocator } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { experienceType } from './common';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['experience'], operation: ['get'] } },
	[experienceLocator],
);

export async function execute(this: IExecuteFunctions, client: AppcuesClient, itemIndex: number) {
	const type = experienceType.call(this, itemIndex);
	const id = requiredId.call(this, 'experienceId', 'Experience', itemIndex);
	const body = await client.request({ method: 'GET', path: path`/${type}/${id}`, itemIndex });
	return objectOr(body, { id });
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { applyLimit, returnAllFields } from '../../helpers/descriptions';
import { asList } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['getAll'] } },
	returnAllFields,
);

export async function execute(this: IExecuteFunctions, client: AppcuesClient, itemIndex: number) {
	const body = await client.request({ method: 'GET', path: '/jobs', itemIndex });
	return applyLimit.call(this, asList(body, 'jobs'), itemIndex);
}

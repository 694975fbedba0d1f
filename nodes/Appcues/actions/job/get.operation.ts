import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['get', 'wait'] } },
	[
		{
			displayName: 'Job ID',
			name: 'jobId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. c5abb279-85d1-4c8b-9930-f37a0460a82f',
			description:
				'The job_id Appcues returned when the import, export or segment change was accepted',
		},
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { jobId: requiredId.call(this, 'jobId', 'Job ID', itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ jobId }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: path`/jobs/${jobId}`, itemIndex });
	return objectOr(body, { id: jobId });
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { requiredId } from '../../helpers/input';
import { readTimeoutMs, timeoutField, waitForJob } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['wait'] } },
	[
		timeoutField(
			'How long to wait before failing; the error gives the job ID so it can be looked up later',
		),
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		jobId: requiredId.call(this, 'jobId', 'Job ID', itemIndex),
		timeoutMs: readTimeoutMs.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ jobId, timeoutMs }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	return await waitForJob.call(
		this,
		client,
		{ statusPath: path`/jobs/${jobId}`, jobId },
		{ timeoutMs },
		itemIndex,
	);
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { segmentLocator } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['segment'], operation: ['delete'] } },
	[segmentLocator],
);

export async function execute(this: IExecuteFunctions, client: AppcuesClient, itemIndex: number) {
	const segmentId = requiredId.call(this, 'segmentId', 'Segment', itemIndex);
	await client.request({ method: 'DELETE', path: path`/segments/${segmentId}`, itemIndex });
	return { deleted: true };
}

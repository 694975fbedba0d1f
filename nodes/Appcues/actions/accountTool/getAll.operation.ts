import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { applyLimit, readLimit, returnAllFields } from '../../helpers/descriptions';
import { readChoice } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import type { AppcuesClient } from '../../transport/client';
import { listToolEntries } from './catalog';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['accountTool'], operation: ['getAll'] } },
	[
		{
			displayName: 'View',
			name: 'view',
			type: 'options',
			options: [
				{
					name: 'Summary',
					value: 'summary',
					description: 'Name, role and description of each tool: a fraction of the full size',
				},
				{
					name: 'Full',
					value: 'full',
					description:
						'Also the input schema of each tool and its annotations (title, whether it only reads)',
				},
			],
			default: 'summary',
		},
		...returnAllFields,
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		view: readChoice.call(this, 'view', 'View', itemIndex, ['summary', 'full'], 'summary') as
			'summary' | 'full',
		limit: readLimit.call(this, itemIndex),
	} as const;
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ view, limit }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	return applyLimit(await listToolEntries(client, view, itemIndex), limit);
}

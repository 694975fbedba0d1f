import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import type { AppcuesClient } from '../../transport/client';
import { getToolEntry, readToolName, toolLocator } from './catalog';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['accountTool'], operation: ['get'] } },
	[toolLocator],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { name: readToolName.call(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ name }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	return await getToolEntry.call(this, client, name, itemIndex);
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { applyLimit, readLimit, returnAllFields } from '../helpers/descriptions';
import { updateDisplayOptions } from '../helpers/displayOptions';
import { asList } from '../helpers/results';
import type { AppcuesClient } from '../transport/client';
import type { ItemOperation } from './types';

/**
 * The plain "Get Many" of a resource (segments, tags, jobs): one GET of the account's list and
 * Return All / Limit applied to it. The route and the list's key in the body are all that differ.
 */
export function getManyOperation(resource: string, route: string, listKey: string): ItemOperation {
	const description: INodeProperties[] = updateDisplayOptions(
		{ show: { resource: [resource], operation: ['getAll'] } },
		returnAllFields,
	);
	function prepare(this: IExecuteFunctions, itemIndex: number) {
		return { limit: readLimit.call(this, itemIndex) };
	}
	async function execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		{ limit }: ReturnType<typeof prepare>,
		itemIndex: number,
	) {
		const body = await client.request({ method: 'GET', path: route, itemIndex });
		return applyLimit(asList(body, listKey), limit);
	}
	return { description, prepare, execute };
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { experienceLocator } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import type { ItemOperation } from '../types';
import { experienceType } from './experienceType';

/** Publish and unpublish share everything but the route: an empty POST to .../{id}/{action}. */
export function publishingOperation(action: 'publish' | 'unpublish'): ItemOperation {
	const description: INodeProperties[] = updateDisplayOptions(
		{ show: { resource: ['experience'], operation: [action] } },
		[experienceLocator],
	);
	function prepare(this: IExecuteFunctions, itemIndex: number) {
		return {
			type: experienceType.call(this, itemIndex),
			id: requiredId.call(this, 'experienceId', 'Experience', itemIndex),
		};
	}
	async function execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		{ type, id }: ReturnType<typeof prepare>,
		itemIndex: number,
	) {
		const answer = await client.request({
			method: 'POST',
			path: path`/${type}/${id}/${action}`,
			itemIndex,
		});
		// What Appcues says wins over what was asked (a publish may wait for review).
		return { id, type, published: action === 'publish', ...objectOr(answer, {}) };
	}
	return { description, prepare, execute };
}

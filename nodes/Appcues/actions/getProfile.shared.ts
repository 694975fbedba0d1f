import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { groupIdField, userIdField } from '../helpers/descriptions';
import { updateDisplayOptions } from '../helpers/displayOptions';
import { requiredId } from '../helpers/input';
import { objectOr } from '../helpers/results';
import {
	readOutputChoice,
	shapeOutput,
	simplifyProfile,
	toolOutputFields,
	type OutputShape,
} from '../helpers/toolOutput';
import type { AppcuesClient } from '../transport/client';
import { path } from '../transport/paths';
import type { ItemOperation } from './types';

const PROFILES = {
	user: {
		idField: userIdField,
		column: 'user_id',
		profilePath: (id: string) => path`/users/${id}/profile`,
	},
	group: {
		idField: groupIdField,
		column: 'group_id',
		profilePath: (id: string) => path`/groups/${id}/profile`,
	},
};

/**
 * Get Profile of a user or a group: one GET of its profile, shaped as the Output choice says.
 * The ID field, its column and the route are all that differ.
 */
export function getProfileOperation(resource: keyof typeof PROFILES): ItemOperation {
	const { idField, column, profilePath } = PROFILES[resource];
	const field = idField();
	const description: INodeProperties[] = updateDisplayOptions(
		{ show: { resource: [resource], operation: ['getProfile'] } },
		[
			field,
			...toolOutputFields({
				simplified:
					'The ID and up to nine properties set by you, without Appcues\' automatic "_" properties',
			}),
		],
	);
	const shape: OutputShape = { always: [column], simplified: simplifyProfile(column) };
	function prepare(this: IExecuteFunctions, itemIndex: number) {
		return {
			id: requiredId.call(this, field.name, field.displayName, itemIndex),
			output: readOutputChoice.call(this, itemIndex),
		};
	}
	async function execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		{ id, output }: ReturnType<typeof prepare>,
		itemIndex: number,
	) {
		const body = await client.request({ method: 'GET', path: profilePath(id), itemIndex });
		return shapeOutput([objectOr(body, { [column]: id })], output, shape)[0];
	}
	return { description, prepare, execute };
}

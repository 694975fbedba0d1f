import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { applyLimit, readLimit, returnAllFields } from '../../helpers/descriptions';
import { asList } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { experienceType } from './experienceType';

/** The columns Appcues' own CLI shows for experiences, plus type and state. */
export const SIMPLE_EXPERIENCE_FIELDS = ['id', 'name', 'type', 'published', 'state', 'updated_at'];

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['experience'], operation: ['getAll'] } },
	[
		...returnAllFields,
		{
			displayName: 'Simplify',
			name: 'simplify',
			type: 'boolean',
			default: false,
			description:
				'Whether to return only the ID, name, type, published flag, state and update time of each experience instead of the full object with its steps. Turn it on when an AI agent uses this tool, to keep its answer small.',
		},
	],
);

function simplify(experience: IDataObject): IDataObject {
	const simple: IDataObject = {};
	for (const field of SIMPLE_EXPERIENCE_FIELDS)
		if (experience[field] !== undefined) simple[field] = experience[field];
	return simple;
}

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		type: experienceType.call(this, itemIndex),
		limit: readLimit.call(this, itemIndex),
		simplify: Boolean(this.getNodeParameter('simplify', itemIndex, false)),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ type, limit, simplify: simplified }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: path`/${type}`, itemIndex });
	const list = applyLimit(asList(body), limit);
	return simplified ? list.map(simplify) : list;
}

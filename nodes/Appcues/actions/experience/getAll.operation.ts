import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { applyLimit, readLimit, returnAllFields } from '../../helpers/descriptions';
import { readBoolean } from '../../helpers/input';
import { asList } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import {
	readOutputChoice,
	shapeOutput,
	toolOutputFields,
	type OutputShape,
} from '../../helpers/toolOutput';
import { experienceType } from './experienceType';

/** The columns Appcues' own CLI shows for experiences, plus type and state. */
export const SIMPLE_EXPERIENCE_FIELDS = ['id', 'name', 'type', 'published', 'state', 'updated_at'];

export const SIMPLIFIED_EXPERIENCE =
	'The ID, name, type, published flag, state and update time, without the steps';

export const EXPERIENCE_OUTPUT: OutputShape = {
	always: ['id'],
	simplified: SIMPLE_EXPERIENCE_FIELDS.filter((field) => field !== 'id'),
};

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
				'Whether to return only the ID, name, type, published flag, state and ' +
				'update time of each experience instead of the full object with its steps',
			// An agent's tool has the Output option instead (Simplified by default).
			displayOptions: { hide: { '@tool': [true] } },
		},
		...toolOutputFields({ simplified: SIMPLIFIED_EXPERIENCE }),
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		type: experienceType.call(this, itemIndex),
		limit: readLimit.call(this, itemIndex),
		output: readBoolean.call(this, 'simplify', 'Simplify', itemIndex, false)
			? ({ output: 'simplified' } as const)
			: readOutputChoice.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ type, limit, output }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: path`/${type}`, itemIndex });
	return shapeOutput(applyLimit(asList(body), limit), output, EXPERIENCE_OUTPUT);
}

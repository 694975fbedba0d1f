import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { experienceLocator } from '../../helpers/descriptions';
import { requiredId } from '../../helpers/input';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import { readOutputChoice, shapeOutput, toolOutputFields } from '../../helpers/toolOutput';
import { experienceType } from './experienceType';
import { EXPERIENCE_OUTPUT, SIMPLIFIED_EXPERIENCE } from './getAll.operation';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['experience'], operation: ['get'] } },
	[experienceLocator, ...toolOutputFields({ simplified: SIMPLIFIED_EXPERIENCE })],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		type: experienceType.call(this, itemIndex),
		id: requiredId.call(this, 'experienceId', 'Experience', itemIndex),
		output: readOutputChoice.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ type, id, output }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const body = await client.request({ method: 'GET', path: path`/${type}/${id}`, itemIndex });
	return shapeOutput([objectOr(body, { id })], output, EXPERIENCE_OUTPUT)[0];
}

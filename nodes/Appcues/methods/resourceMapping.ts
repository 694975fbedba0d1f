import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { argumentFields } from '../actions/accountTool/inputSchema';
import { AppcuesClient } from '../transport/client';
import { path } from '../transport/paths';

/** The fields of Account Tool > Call: one per argument of the chosen tool's input schema. */
export async function getAccountToolArguments(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const name = String(this.getNodeParameter('toolName', '', { extractValue: true }) ?? '').trim();
	if (!name) return { fields: [], emptyFieldsNotice: 'Choose a tool first' };
	const entry = await new AppcuesClient(this).request<{ inputSchema?: never }>({
		method: 'GET',
		scope: 'tools',
		path: path`/${name}`,
	});
	return {
		fields: argumentFields(entry?.inputSchema),
		emptyFieldsNotice: `The account tool ${name} takes no arguments`,
	};
}

import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ensureNodeError, itemError } from '../../helpers/errors';
import { requiredId } from '../../helpers/input';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';

/**
 * An entry of the account tools catalog (`GET /v1/tools`, `GET /v1/tools/{name}`): the same tool
 * set as Appcues' hosted MCP server. The summary view has only name, description and role.
 */
export interface ToolEntry extends IDataObject {
	name: string;
	description?: string;
	role?: string;
	inputSchema?: IDataObject;
	annotations?: {
		title?: string;
		readOnlyHint?: boolean;
		destructiveHint?: boolean;
		openWorldHint?: boolean;
	};
}

export const toolLocator: INodeProperties = {
	displayName: 'Tool',
	name: 'toolName',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The account tool, as the Appcues MCP server names it',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchAccountTools', searchable: true },
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. list_campaigns',
		},
	],
};

export function readToolName(this: IExecuteFunctions, itemIndex: number): string {
	return requiredId.call(this, 'toolName', 'Tool', itemIndex);
}

/**
 * Only a tool that says it only reads is taken as one: MCP's readOnlyHint defaults to false, and
 * Appcues' CLI asks before running any tool without it.
 */
export function isReadOnly(entry: ToolEntry): boolean {
	return entry.annotations?.readOnlyHint === true;
}

export async function listToolEntries(
	client: AppcuesClient,
	view: 'summary' | 'full',
	itemIndex?: number,
): Promise<ToolEntry[]> {
	const body = await client.request<{ tools?: unknown }>({
		method: 'GET',
		scope: 'tools',
		path: '',
		qs: view === 'summary' ? { view } : undefined,
		itemIndex,
	});
	const tools = body && typeof body === 'object' ? body.tools : undefined;
	return Array.isArray(tools)
		? tools.filter(
				(tool): tool is ToolEntry =>
					Boolean(tool) && typeof tool === 'object' && typeof tool.name === 'string',
			)
		: [];
}

/** One tool's entry; a tool Appcues does not know is an error about the item's Tool field. */
export async function getToolEntry(
	this: IExecuteFunctions,
	client: AppcuesClient,
	name: string,
	itemIndex: number,
): Promise<ToolEntry> {
	try {
		return await fetchToolEntry(client, name, itemIndex);
	} catch (error) {
		throw toolEntryError(this.getNode(), name, error, itemIndex);
	}
}

/** One tool's entry as Appcues answers it; its errors as the transport gives them. */
export async function fetchToolEntry(
	client: AppcuesClient,
	name: string,
	itemIndex: number,
): Promise<ToolEntry> {
	const body = await client.request<ToolEntry>({
		method: 'GET',
		scope: 'tools',
		path: path`/${name}`,
		itemIndex,
	});
	return body && typeof body === 'object' ? { ...body, name: body.name ?? name } : { name };
}

/** A failed read of a tool's entry, as an error of the item that needed it. */
export function toolEntryError(node: INode, name: string, error: unknown, itemIndex: number) {
	if (error instanceof NodeApiError && error.httpCode === '404') {
		return itemError(node, `There is no account tool named "${name}"`, {
			itemIndex,
			description:
				'Account Tool > Get Many lists the tools this API key can call. Tool names are the ' +
				'same as on the Appcues MCP server and in `appcues tools list`.',
		});
	}
	return ensureNodeError(node, error, itemIndex);
}

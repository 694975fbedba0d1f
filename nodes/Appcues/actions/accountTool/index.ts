import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as call from './call.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['accountTool'] } },
	options: [
		{
			name: 'Call',
			value: 'call',
			action: 'Call an account tool',
			description:
				'Run one of the account tools (campaigns, NPS results, dashboards, screenshots, ...) ' +
				'with arguments',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get an account tool',
			description: "Get one tool's entry, with its input schema",
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many account tools',
			description: 'List the account tools this API key can call, one item per tool',
		},
	],
	default: 'getAll',
};

/**
 * The account tools: the tool set of Appcues' hosted MCP server, served over plain HTTP on their
 * own origin (mcp.appcues.com), as Appcues' CLI calls them (`appcues tools list/describe/call`).
 */
export const accountTool: ResourceModule = {
	displayName: 'Account Tool',
	operations: { call, get, getAll },
	description: [operationField, ...call.description, ...get.description, ...getAll.description],
};

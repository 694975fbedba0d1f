import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['tag'] } },
	options: [
		{ name: 'Get', value: 'get', action: 'Get a tag', description: 'Get one tag' },
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many tags',
			description: 'List the tags of the account, one item per tag',
		},
	],
	default: 'getAll',
};

export const tag: ResourceModule = {
	displayName: 'Tag',
	operations: { get, getAll },
	description: [operationField, ...get.description, ...getAll.description],
};

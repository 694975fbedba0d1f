import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['job'] } },
	options: [
		{
			name: 'Get',
			value: 'get',
			action: 'Get a job',
			description: 'Get the status of an asynchronous job (import, export or segment change)',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many jobs',
			description: 'List the asynchronous jobs of the account, one item per job',
		},
	],
	default: 'get',
};

export const job: ResourceModule = {
	operations: { get, getAll },
	description: [operationField, ...get.description, ...getAll.description],
};

import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as wait from './wait.operation';

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
		{
			name: 'Wait',
			value: 'wait',
			action: 'Wait for a job to finish',
			description:
				'Poll a job until Appcues reports it finished, then output the final job; a failed job is an error',
		},
	],
	default: 'get',
};

export const job: ResourceModule = {
	displayName: 'Job',
	operations: { get, getAll, wait },
	description: [operationField, ...get.description, ...getAll.description, ...wait.description],
};

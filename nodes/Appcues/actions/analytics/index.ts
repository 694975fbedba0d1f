import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as exportOperation from './export.operation';
import * as query from './query.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['analytics'] } },
	options: [
		{
			name: 'Export',
			value: 'export',
			action: 'Export analytics',
			description:
				'Run an analytics query as an asynchronous export without the row limit, wait for it and download the file',
		},
		{
			name: 'Query',
			value: 'query',
			action: 'Query analytics',
			description:
				'Run an analytics query and get its rows as items (Appcues returns at most 1,000 rows)',
		},
	],
	default: 'query',
};

export const analytics: ResourceModule = {
	displayName: 'Analytics',
	operations: { export: exportOperation, query },
	description: [operationField, ...query.description, ...exportOperation.description],
};

import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as comparePeriods from './comparePeriods.operation';
import * as exportOperation from './export.operation';
import * as flowPerformanceDigest from './flowPerformanceDigest.operation';
import * as query from './query.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['analytics'] } },
	options: [
		{
			name: 'Compare Periods',
			value: 'comparePeriods',
			action: 'Compare two analytics periods',
			description:
				'Run an aggregate query over the last N days and the N days before, ' +
				'one item per dimension value with the change of each metric',
		},
		{
			name: 'Export',
			value: 'export',
			action: 'Export analytics',
			description:
				'Run an analytics query as an asynchronous export ' +
				'without the row limit, wait for it and download the file',
		},
		{
			name: 'Flow Performance Digest',
			value: 'flowPerformanceDigest',
			action: 'Get a flow performance digest',
			description:
				'How each published flow did over the last N days against the N days before: shown, ' +
				'completed, skipped, errors, users, completion rate and changes; one item per flow',
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
	operations: { comparePeriods, export: exportOperation, flowPerformanceDigest, query },
	description: [
		operationField,
		...query.description,
		...exportOperation.description,
		...flowPerformanceDigest.description,
		...comparePeriods.description,
	],
};

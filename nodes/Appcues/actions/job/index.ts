import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as downloadAnalyticsExport from './downloadAnalyticsExport.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getAnalyticsExport from './getAnalyticsExport.operation';
import * as wait from './wait.operation';
import * as waitAnalyticsExport from './waitAnalyticsExport.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['job'] } },
	options: [
		{
			name: 'Download Analytics Export',
			value: 'downloadAnalyticsExport',
			action: 'Download an analytics export',
			description:
				'Wait for an analytics export by its job ID, then download its file as binary data',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a job',
			description: 'Get the status of an asynchronous job (import, export or segment change)',
		},
		{
			name: 'Get Analytics Export',
			value: 'getAnalyticsExport',
			action: 'Get an analytics export',
			description:
				'Get the status of an analytics export by its job ID: ' +
				'queued, running, done (with a download link) or failed',
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
				'Poll a job until Appcues reports it finished, ' +
				'then output the final job; a failed job is an error',
		},
		{
			name: 'Wait for Analytics Export',
			value: 'waitAnalyticsExport',
			action: 'Wait for an analytics export to finish',
			description:
				'Poll an analytics export by its job ID until it is done ' +
				'(with a fresh download link); a failed export is an error',
		},
	],
	default: 'get',
};

export const job: ResourceModule = {
	displayName: 'Job',
	operations: {
		downloadAnalyticsExport,
		get,
		getAll,
		getAnalyticsExport,
		wait,
		waitAnalyticsExport,
	},
	description: [
		operationField,
		...get.description,
		...getAll.description,
		...wait.description,
		...getAnalyticsExport.description,
		...waitAnalyticsExport.description,
		...downloadAnalyticsExport.description,
	],
};

import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as events from './events.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['export'] } },
	options: [
		{
			name: 'Export Events',
			value: 'events',
			action: 'Export events',
			description:
				'Start an asynchronous export of raw events for a period; ' +
				'Appcues emails the file and the job can be waited on',
		},
	],
	default: 'events',
};

export const exportResource: ResourceModule = {
	displayName: 'Export',
	operations: { events },
	description: [operationField, ...events.description],
};

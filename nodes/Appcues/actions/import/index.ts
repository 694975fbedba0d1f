import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as events from './events.operation';
import * as groups from './groups.operation';
import * as profiles from './profiles.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['import'] } },
	options: [
		{
			name: 'Import Events',
			value: 'events',
			action: 'Import events in bulk',
			description:
				'Send many user events as an asynchronous import job, ' +
				'from input items or a CSV or NDJSON file',
		},
		{
			name: 'Import Group Profiles',
			value: 'groups',
			action: 'Import group profiles in bulk',
			description:
				'Set properties on many groups as an asynchronous import job, from input items or a file',
		},
		{
			name: 'Import User Profiles',
			value: 'profiles',
			action: 'Import user profiles in bulk',
			description:
				'Set properties on many users as an asynchronous import job, ' +
				'from input items or a file; scales to hundreds of thousands of users',
		},
	],
	default: 'profiles',
};

export const importResource: ResourceModule = {
	displayName: 'Import',
	operations: { events, groups, profiles },
	description: [
		operationField,
		...profiles.description,
		...groups.description,
		...events.description,
	],
};

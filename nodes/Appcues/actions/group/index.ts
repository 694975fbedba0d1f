import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as addUsers from './addUsers.operation';
import * as getProfile from './getProfile.operation';
import * as updateProfile from './updateProfile.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['group'] } },
	options: [
		{
			name: 'Add Users',
			value: 'addUsers',
			action: 'Add users to a group',
			description: 'Associate end users with a group (account or company)',
		},
		{
			name: 'Get Profile',
			value: 'getProfile',
			action: 'Get a group profile',
			description: 'Get the properties Appcues holds for a group',
		},
		{
			name: 'Update Profile',
			value: 'updateProfile',
			action: 'Update a group profile',
			description: 'Set properties on a group, creating it if needed',
		},
	],
	default: 'getProfile',
};

export const group: ResourceModule = {
	displayName: 'Group',
	operations: { addUsers, getProfile, updateProfile },
	description: [
		operationField,
		...getProfile.description,
		...updateProfile.description,
		...addUsers.description,
	],
};

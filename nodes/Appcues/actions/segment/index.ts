import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as addUsers from './addUsers.operation';
import * as create from './create.operation';
import * as deleteSegment from './delete.operation';
import * as exportMembership from './exportMembership.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as removeUsers from './removeUsers.operation';
import * as update from './update.operation';

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['segment'] } },
	options: [
		{
			name: 'Add Users',
			value: 'addUsers',
			action: 'Add users to a segment',
			description:
				'Add end users to a segment by ID; Appcues applies the change within a few minutes',
		},
		{
			name: 'Create',
			value: 'create',
			action: 'Create a segment',
			description: 'Create an empty segment; add users to it with Add Users',
		},
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete a segment',
			description: 'Delete a segment',
		},
		{
			name: 'Export Membership',
			value: 'exportMembership',
			action: 'Export the members of a segment',
			description:
				'Start an asynchronous export of the users in a segment, optionally with their properties',
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get a segment',
			description: 'Get one segment',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many segments',
			description: 'List the segments of the account, one item per segment',
		},
		{
			name: 'Remove Users',
			value: 'removeUsers',
			action: 'Remove users from a segment',
			description:
				'Remove end users from a segment by ID; Appcues applies the change within a few minutes',
		},
		{
			name: 'Update',
			value: 'update',
			action: 'Update a segment',
			description: 'Change the name or description of a segment',
		},
	],
	default: 'getAll',
};

export const segment: ResourceModule = {
	displayName: 'Segment',
	operations: {
		addUsers,
		create,
		delete: deleteSegment,
		exportMembership,
		get,
		getAll,
		removeUsers,
		update,
	},
	description: [
		operationField,
		...create.description,
		...get.description,
		...getAll.description,
		...update.description,
		...deleteSegment.description,
		...addUsers.description,
		...removeUsers.description,
		...exportMembership.description,
	],
};

import type { INodeProperties } from 'n8n-workflow';

import type { ResourceModule } from '../types';
import * as downloadScreenshots from './downloadScreenshots.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as publish from './publish.operation';
import { EXPERIENCE_TYPES } from './experienceType';
import * as unpublish from './unpublish.operation';

const fields: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['experience'] } },
		options: [
			{
				name: 'Download Screenshots',
				value: 'downloadScreenshots',
				action: 'Download the screenshots of an experience',
				description:
					'Download the draft screenshots of a flow, ' +
					'checklist or other experience as a ZIP file (binary data)',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get an experience',
				description: 'Get one flow, checklist, pin, banner or other experience',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many experiences',
				description: 'List the experiences of one type, one item per experience',
			},
			{
				name: 'Publish',
				value: 'publish',
				action: 'Publish an experience',
				description: 'Publish an experience so that it is shown to the users it targets',
			},
			{
				name: 'Unpublish',
				value: 'unpublish',
				action: 'Unpublish an experience',
				description: 'Unpublish an experience so that it is no longer shown',
			},
		],
		default: 'getAll',
	},
	{
		displayName: 'Experience Type',
		name: 'experienceType',
		type: 'options',
		options: EXPERIENCE_TYPES,
		default: 'flows',
		description: 'Kind of experience; each kind is its own list in Appcues',
		displayOptions: { show: { resource: ['experience'] } },
	},
];

export const experience: ResourceModule = {
	displayName: 'Experience',
	operations: { downloadScreenshots, get, getAll, publish, unpublish },
	description: [
		...fields,
		...get.description,
		...getAll.description,
		...publish.description,
		...unpublish.description,
		...downloadScreenshots.description,
	],
};

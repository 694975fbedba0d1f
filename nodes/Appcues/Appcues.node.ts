import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { experience } from './actions/experience';
import { group } from './actions/group';
import { job } from './actions/job';
import { optionsField } from './actions/options';
import { router } from './actions/router';
import { segment } from './actions/segment';
import { tag } from './actions/tag';
import { user } from './actions/user';
import { searchExperiences, searchSegments, searchTags } from './methods/listSearch';

export class Appcues implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Appcues',
		name: 'appcues',
		icon: { light: 'file:../../icons/appcues.svg', dark: 'file:../../icons/appcues.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Manage Appcues end users, groups, segments, experiences, tags and jobs through the Appcues Public API',
		defaults: { name: 'Appcues' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'appcuesApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Experience', value: 'experience' },
					{ name: 'Group', value: 'group' },
					{ name: 'Job', value: 'job' },
					{ name: 'Segment', value: 'segment' },
					{ name: 'Tag', value: 'tag' },
					{ name: 'User', value: 'user' },
				],
				default: 'user',
			},
			...user.description,
			...group.description,
			...segment.description,
			...experience.description,
			...tag.description,
			...job.description,
			optionsField,
		],
	};

	methods = {
		listSearch: { searchExperiences, searchSegments, searchTags },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}

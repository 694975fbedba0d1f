import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { optionsField } from './actions/options';
import { resources, router } from './actions/router';
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
			'Manage Appcues users, groups, segments, experiences and tags; import, export and analyse data through the Appcues Public API',
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
					{ name: 'Analytic', value: 'analytics' },
					{ name: 'Experience', value: 'experience' },
					{ name: 'Export', value: 'export' },
					{ name: 'Group', value: 'group' },
					{ name: 'Import', value: 'import' },
					{ name: 'Job', value: 'job' },
					{ name: 'Segment', value: 'segment' },
					{ name: 'Tag', value: 'tag' },
					{ name: 'User', value: 'user' },
				],
				default: 'user',
			},
			...Object.values(resources).flatMap((resource) => resource.description),
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

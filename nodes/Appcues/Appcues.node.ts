import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { optionsField } from './actions/options';
import { resources, router } from './actions/router';
import {
	searchAccountTools,
	searchExperiences,
	searchSegments,
	searchTags,
} from './methods/listSearch';
import { getAccountToolArguments } from './methods/resourceMapping';
import { maxAnswerLengthField } from './helpers/toolOutput';

const resourceField: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	// Derived from the router's table, so a resource is offered exactly when it is implemented.
	options: Object.entries(resources)
		.map(([value, resource]) => ({ name: resource.displayName, value }))
		.sort((a, b) => a.name.localeCompare(b.name)),
	default: 'user',
};

const operationFields = Object.values(resources).flatMap((resource) =>
	resource.description.filter((field) => field.name === 'operation'),
);

/**
 * The canvas subtitle, "Update Profile: User": n8n evaluates it with the raw parameter values, so
 * the readable names travel inside the expression as two lookup tables. An unknown value (n8n's
 * injected Custom API Call) falls back to the raw one, which makes n8n blank the subtitle.
 */
export function readableSubtitle(): string {
	const names = (options: INodeProperties['options']) =>
		(options ?? []).flatMap((option) =>
			'value' in option ? [[String(option.value), option.name]] : [],
		);
	const resourceNames = Object.fromEntries(names(resourceField.options));
	const operationNames = Object.fromEntries(
		operationFields.flatMap((field) =>
			(field.displayOptions?.show?.resource ?? []).flatMap((resource) =>
				names(field.options).map(([value, name]) => [`${String(resource)}:${value}`, name]),
			),
		),
	);
	const operation = `(${JSON.stringify(operationNames)}[$parameter.resource + ":" + $parameter.operation] || $parameter.operation)`;
	const resource = `(${JSON.stringify(resourceNames)}[$parameter.resource] || $parameter.resource)`;
	return `={{ ${operation} + ": " + ${resource} }}`;
}

/**
 * n8n appends "Custom API Call" (value `__CUSTOM_API_CALL__`) to the resource and operation lists
 * of every node whose credential has `authenticate`, and its editor then tells the user to use the
 * HTTP Request node with this node's credential. n8n's own nodes work the same way; running the
 * node on that value anyway gets this explanation instead of "operation not supported".
 */
export const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';
const CUSTOM_API_CALL_HELP =
	'Add an HTTP Request node, set Authentication to "Predefined Credential Type" and Credential ' +
	'Type to "Appcues API", choose this credential and enter the full URL (for example ' +
	'https://api.appcues.com/v2/accounts/<account ID>/tags); n8n signs the request with the ' +
	'API key and secret.';

export class Appcues implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Appcues',
		name: 'appcues',
		icon: { light: 'file:../../icons/appcues.svg', dark: 'file:../../icons/appcues.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: readableSubtitle(),
		description:
			'Manage Appcues users, groups, segments, experiences and tags; import, export and analyse ' +
			'data through the Appcues Public API',
		defaults: { name: 'Appcues' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'appcuesApi', required: true }],
		properties: [
			resourceField,
			...Object.values(resources).flatMap((resource) => resource.description),
			maxAnswerLengthField,
			optionsField,
		],
	};

	methods = {
		listSearch: { searchAccountTools, searchExperiences, searchSegments, searchTags },
		resourceMapping: { getAccountToolArguments },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0, '') as string;
		if (resource === CUSTOM_API_CALL || operation === CUSTOM_API_CALL) {
			throw new NodeOperationError(
				this.getNode(),
				'Custom API calls are made with the HTTP Request node',
				{
					description: CUSTOM_API_CALL_HELP,
				},
			);
		}
		return await router.call(this);
	}
}

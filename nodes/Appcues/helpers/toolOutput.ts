import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { itemError } from './errors';

/**
 * The Output option n8n asks for when a node is an AI agent's tool and its answers are wide (more
 * than ten fields): Simplified (the default, so a model is not flooded), Raw, or Selected Fields.
 * The fields are shown only in tool mode (`@tool`), so a workflow node is unchanged: there the
 * parameter is absent and the output is raw.
 */

export type OutputChoice =
	{ output: 'raw' } | { output: 'simplified' } | { output: 'selected'; fields: string[] };

export interface OutputShape {
	/** Kept in every choice (the ID). */
	always: string[];
	/** The fields of Simplified, in order; or a function for open-ended objects such as profiles. */
	simplified: string[] | ((object: IDataObject) => IDataObject);
}

export function toolOutputFields({
	simplified,
	fields,
}: {
	/** What Simplified keeps, in words. */
	simplified: string;
	/** The fields to pick from; free text (comma-separated names) when the object is open-ended. */
	fields?: string[];
}): INodeProperties[] {
	const inTool = { '@tool': [true] };
	return [
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			default: 'simplified',
			options: [
				{ name: 'Raw', value: 'raw', description: 'Every field Appcues returns' },
				{
					name: 'Selected Fields',
					value: 'selected',
					description: 'Only the fields chosen below',
				},
				{ name: 'Simplified', value: 'simplified', description: simplified },
			],
			description: 'Which fields of each result go to the agent',
			displayOptions: { show: inTool },
		},
		fields
			? {
					displayName: 'Fields',
					name: 'outputFields',
					type: 'multiOptions',
					options: fields.map((field) => ({ name: field, value: field })),
					default: [],
					description: 'The fields to send to the agent',
					displayOptions: { show: { ...inTool, output: ['selected'] } },
				}
			: {
					displayName: 'Fields',
					name: 'outputFields',
					type: 'string',
					default: '',
					placeholder: 'e.g. email, plan, _lastSeenAt',
					description: 'Names of the fields to send to the agent, separated by commas',
					displayOptions: { show: { ...inTool, output: ['selected'] } },
				},
	];
}

/**
 * Whether the node runs as an AI agent's tool: n8n runs tools as a copy of the node type whose
 * name ends in "Tool" (what its `@tool` display option tests too).
 */
export function runsAsTool(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

/** The item's Output choice; raw when the node is not a tool (the parameter is then absent). */
export function readOutputChoice(this: IExecuteFunctions, itemIndex: number): OutputChoice {
	const output = this.getNodeParameter('output', itemIndex, 'raw');
	if (output === 'raw' || output === 'simplified') return { output };
	if (output !== 'selected') {
		throw itemError(
			this.getNode(),
			`Output must be Raw, Simplified or Selected Fields, not ${JSON.stringify(output)}`,
			{ itemIndex },
		);
	}
	const raw = this.getNodeParameter('outputFields', itemIndex, []);
	const fields = (Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(','))
		.map((field) => field.trim())
		.filter(Boolean);
	if (!fields.length) {
		throw itemError(this.getNode(), 'Output is Selected Fields, but Fields names none', {
			description: 'Choose the fields to send, or set Output to Simplified.',
			itemIndex,
		});
	}
	return { output, fields };
}

function pick(object: IDataObject, fields: string[]): IDataObject {
	const has = (target: IDataObject, key: string) =>
		Object.prototype.hasOwnProperty.call(target, key);
	const picked: IDataObject = {};
	for (const field of fields) {
		if (has(object, field) && !has(picked, field))
			Object.defineProperty(picked, field, {
				value: object[field],
				enumerable: true,
				writable: true,
				configurable: true,
			});
	}
	return picked;
}

/** Applies the choice to each object. */
export function shapeOutput<T extends IDataObject>(
	objects: T[],
	choice: OutputChoice,
	shape: OutputShape,
): IDataObject[] {
	if (choice.output === 'raw') return objects;
	if (choice.output === 'selected')
		return objects.map((object) => pick(object, [...shape.always, ...choice.fields]));
	const { simplified } = shape;
	return objects.map((object) =>
		typeof simplified === 'function'
			? simplified(object)
			: pick(object, [...shape.always, ...simplified]),
	);
}

/**
 * Simplified for open-ended objects (user and group profiles): the ID, then the properties set by
 * you (Appcues' automatic properties start with "_"), ten fields at most.
 */
export function simplifyProfile(idField: string) {
	return (profile: IDataObject): IDataObject => {
		const keys = [
			idField,
			...Object.keys(profile).filter((key) => key !== idField && !key.startsWith('_')),
		].slice(0, 10);
		return pick(profile, keys);
	};
}

import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IPairedItemData,
} from 'n8n-workflow';

import { itemError } from './errors';
import { readNumber } from './input';

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

/**
 * How long the answer to an agent may be. n8n hands a tool's answer to the model as the JSON of
 * its output items, all of them: a 1,000-row query or a Get Many with Return All could fill the
 * model's context. Shown only in tool mode, for every operation.
 */
export const maxAnswerLengthField: INodeProperties = {
	displayName: 'Max Answer Length (Characters)',
	name: 'maxAnswerLength',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 0 },
	default: 100000,
	description:
		'Longest answer sent to the agent, in characters of the JSON of all results. A longer ' +
		'answer keeps the first results that fit and ends with a note saying how many were left ' +
		'out. 0 sends every result.',
	displayOptions: { show: { '@tool': [true] } },
};

/**
 * The answer limit of this run, read before any request (a bad value sends nothing); 0 (no limit)
 * when the node is not a tool, whatever was saved.
 */
export function readAnswerLimit(this: IExecuteFunctions): number {
	if (!runsAsTool(this)) return 0;
	return readNumber.call(this, maxAnswerLengthField, 0, {
		whole: true,
		label: maxAnswerLengthField.displayName,
	});
}

/** The last item of a cut answer, for the model to read. */
function cutNote(limit: number, shown: number, total: number): IDataObject {
	const count = (value: number) => value.toLocaleString('en-US');
	return {
		truncated: true,
		items_shown: shown,
		items_total: total,
		message:
			`The answer was cut to stay within ${count(limit)} characters: these are the first ` +
			`${count(shown)} of ${count(total)} results. To get the rest, narrow the request: a ` +
			'lower limit (or Return All off), filters, a shorter period. In the settings of this ' +
			'tool, Output: Simplified or Selected Fields sends fewer fields per result, and Max ' +
			'Answer Length (Characters) sets this limit.',
	};
}

/** The input items the left-out items came from: what the note is paired with. */
function pairedItemsOf(items: INodeExecutionData[]): IPairedItemData | IPairedItemData[] {
	const seen = new Map<string, IPairedItemData>();
	for (const { pairedItem } of items) {
		const list = Array.isArray(pairedItem) ? pairedItem : [pairedItem ?? { item: 0 }];
		for (const entry of list) {
			const paired = typeof entry === 'number' ? { item: entry } : entry;
			seen.set(`${paired.input ?? 0}:${paired.item}`, paired);
		}
	}
	const all = [...seen.values()];
	return all.length === 1 ? all[0] : all;
}

/**
 * Keeps the answer to an agent within `limit` characters (0: no limit), measured as n8n sends it:
 * the JSON of the array of the items' `json`. When it is longer, the leading items that fit stay
 * (with their pairedItem) and a note item ends the answer; the note counts against the limit.
 */
export function capAnswer(items: INodeExecutionData[], limit: number): INodeExecutionData[] {
	if (!limit || !items.length) return items;
	// Each item adds its JSON and a comma (or the closing "]" for the last one).
	const lengths: number[] = [];
	let whole = 1;
	for (const item of items) {
		lengths.push(JSON.stringify(item.json).length + 1);
		whole += lengths[lengths.length - 1];
		if (whole > limit) break;
	}
	if (whole <= limit) return items;
	// As many leading items as fit beside the note that counts them. Only items measured above can
	// fit: the answer up to the last of them was already too long.
	const total = items.length;
	const fits = (count: number, itemsLength: number) =>
		2 + JSON.stringify(cutNote(limit, count, total)).length + itemsLength <= limit;
	let kept = 0;
	let itemsLength = 0;
	while (kept < lengths.length && fits(kept + 1, itemsLength + lengths[kept]))
		itemsLength += lengths[kept++];
	return [
		...items.slice(0, kept),
		{ json: cutNote(limit, kept, total), pairedItem: pairedItemsOf(items.slice(kept)) },
	];
}

/**
 * An operation whose result is a file cannot serve an agent: n8n hands the model the JSON of a
 * tool's answer and drops its binary data (with only a warning in n8n's log). As a tool, such an
 * operation is refused before anything is sent, rather than downloading a file nobody receives.
 */
export function refuseFileAsTool(this: IExecuteFunctions, itemIndex: number, what: string): void {
	if (!runsAsTool(this)) return;
	throw itemError(
		this.getNode(),
		`${what} cannot run as an AI agent's tool: an agent gets the JSON of a tool's answer, ` +
			'never its file. Nothing was sent to Appcues',
		{
			description:
				'Download files in a workflow, with the Appcues node rather than Appcues Tool. For ' +
				'data an agent can read, give it Analytics > Query (rows) or Job > Get Analytics ' +
				'Export (the status of an export).',
			itemIndex,
		},
	);
}

/** The editor's word on it, shown with the download fields in tool mode. */
export const fileAsToolNotice =
	"An AI agent's tool cannot hand over files: as a tool, this download stops before anything is " +
	'sent. Use it in a workflow.';

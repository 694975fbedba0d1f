import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	ResourceMapperField,
} from 'n8n-workflow';
import { validateFieldType } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { itemError } from '../../helpers/errors';
import { asNumber, jsonObject, previewValue } from '../../helpers/input';
import { booleanValue } from '../../../shared/booleanValue';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import {
	fetchToolEntry,
	isReadOnly,
	readToolName,
	toolEntryError,
	toolLocator,
	type ToolEntry,
} from './catalog';
import { callOutput, errorText, type ToolEnvelope } from './envelope';
import { isMissing, missingArguments, requiredArguments } from './inputSchema';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['accountTool'], operation: ['call'] } },
	[
		toolLocator,
		{
			displayName: 'Arguments Input',
			name: 'argumentsInput',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Fields',
					value: 'fields',
					description: "One field per argument, from the tool's input schema",
				},
				{
					name: 'JSON',
					value: 'json',
					description: 'All arguments as one JSON object (what an AI agent fills in)',
				},
			],
			default: 'fields',
			description: 'How to give the arguments of the tool',
		},
		{
			displayName: 'Arguments',
			name: 'toolArguments',
			type: 'resourceMapper',
			noDataExpression: true,
			default: { mappingMode: 'defineBelow', value: null },
			typeOptions: {
				loadOptionsDependsOn: ['toolName.value'],
				resourceMapper: {
					resourceMapperMethod: 'getAccountToolArguments',
					mode: 'add',
					fieldWords: { singular: 'argument', plural: 'arguments' },
					addAllFields: true,
					supportAutoMap: false,
				},
			},
			displayOptions: { show: { argumentsInput: ['fields'] } },
		},
		{
			displayName: 'Arguments (JSON)',
			name: 'argumentsJson',
			type: 'json',
			default: '{}',
			description:
				'The arguments as a JSON object matching the tool\'s input schema, e.g. {"campaign_id": ' +
				'"c1"}. Account Tool > Get shows the schema.',
			displayOptions: { show: { argumentsInput: ['json'] } },
		},
	],
);

interface MapperValue {
	value?: IDataObject | null;
	schema?: ResourceMapperField[];
}

function missingError(
	this: IExecuteFunctions,
	toolName: string,
	missing: string[],
	itemIndex: number,
) {
	const names = missing.map((name) => `"${name}"`).join(', ');
	return itemError(
		this.getNode(),
		`The account tool ${toolName} needs the argument${missing.length > 1 ? 's' : ''} ${names}`,
		{
			itemIndex,
			description:
				`Give ${names} a value, or check that the expression gives one for this item. ` +
				'Nothing was sent to the tool.',
		},
	);
}

/**
 * A value converted to its field's type as n8n does ("5" to 5, JSON text to a list or an object),
 * except numbers and yes/no, which n8n converts with Number() and Boolean(): a list would become
 * 0, "Infinity" null and true 1. Those take only a finite number or its digits, and true or false
 * or that text.
 */
function typedArgument(
	name: string,
	value: unknown,
	type: NonNullable<ResourceMapperField['type']>,
	options: ResourceMapperField['options'],
): { valid: boolean; newValue?: unknown; errorMessage?: string } {
	const exact = (converted: unknown, kind: string) =>
		converted === undefined
			? {
					valid: false,
					errorMessage: `'${name}' expects ${kind} but we got ${typeof value === 'string' ? `'${value}'` : previewValue(value)}`,
				}
			: { valid: true, newValue: converted };
	if (type === 'number') return exact(asNumber(value), 'a number');
	if (type === 'boolean') return exact(booleanValue(value), 'true or false');
	return validateFieldType(name, value, type, { valueOptions: options });
}

/**
 * The arguments given as fields: the required ones (by the schema the fields were built from)
 * must have a value; the others are sent only when they have one. Each value is converted to its
 * field's type as n8n does ("5" to 5, JSON text to a list or an object).
 */
function mappedArguments(this: IExecuteFunctions, toolName: string, itemIndex: number) {
	const mapper = (this.getNodeParameter('toolArguments', itemIndex, {}) ?? {}) as MapperValue;
	const schema = Array.isArray(mapper.schema) ? mapper.schema : [];
	const given = mapper.value && typeof mapper.value === 'object' ? mapper.value : {};
	const missing = schema
		.filter((field) => field.required && !field.removed && isMissing(given[field.id]))
		.map((field) => field.id);
	if (missing.length) throw missingError.call(this, toolName, missing, itemIndex);
	const fields = new Map(schema.map((field) => [field.id, field]));
	const args: IDataObject = {};
	for (const [name, value] of Object.entries(given)) {
		const field = fields.get(name);
		if (field?.removed || isMissing(value)) continue;
		if (!field?.type) {
			args[name] = value;
			continue;
		}
		const typed = typedArgument(name, value, field.type, field.options);
		if (!typed.valid) {
			throw itemError(
				this.getNode(),
				`The argument "${name}" of the account tool ${toolName} is not valid`,
				{ itemIndex, description: typed.errorMessage },
			);
		}
		args[name] = (typed.newValue ?? value) as IDataObject[keyof IDataObject];
	}
	return args;
}

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	const name = readToolName.call(this, itemIndex);
	const args =
		this.getNodeParameter('argumentsInput', itemIndex, 'fields') === 'json'
			? jsonObject.call(
					this,
					this.getNodeParameter('argumentsJson', itemIndex, '{}'),
					'Arguments (JSON)',
					itemIndex,
				)
			: mappedArguments.call(this, name, itemIndex);
	return { name, args };
}

/** Per run of the node: each tool's entry is read once, and its hint shown once. */
const runs = new WeakMap<
	AppcuesClient,
	{ entries: Map<string, Promise<ToolEntry>>; hinted: Set<string> }
>();

function runOf(client: AppcuesClient) {
	let run = runs.get(client);
	if (!run) {
		run = { entries: new Map(), hinted: new Set() };
		runs.set(client, run);
	}
	return run;
}

/** The tool's entry, read once per run; a failed read is an error of each item that needs it. */
async function toolEntry(
	this: IExecuteFunctions,
	client: AppcuesClient,
	name: string,
	itemIndex: number,
): Promise<ToolEntry> {
	const { entries } = runOf(client);
	let entry = entries.get(name);
	if (!entry) {
		entry = fetchToolEntry(client, name, itemIndex);
		// Awaited below, by this item and by every later one that calls the same tool.
		entry.catch(() => undefined);
		entries.set(name, entry);
	}
	try {
		return await entry;
	} catch (error) {
		throw toolEntryError(this.getNode(), name, error, itemIndex);
	}
}

/**
 * Reads the tool's entry (once per run) for every item before any call is sent: its schema says
 * which arguments are required.
 */
export async function check(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ name, args }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const tool = await toolEntry.call(this, client, name, itemIndex);
	const missing = missingArguments(requiredArguments(tool.inputSchema), args);
	if (missing.length) throw missingError.call(this, name, missing, itemIndex);
}

/** Calls the tool; its entry's readOnlyHint says whether the call changes data. */
export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ name, args }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const run = runOf(client);
	const tool = await toolEntry.call(this, client, name, itemIndex);
	const envelope = await client.request<ToolEnvelope>({
		method: 'POST',
		scope: 'tools',
		path: path`/${name}`,
		body: { arguments: args },
		itemIndex,
	});
	const answer: ToolEnvelope = envelope && typeof envelope === 'object' ? envelope : {};
	if (answer.isError === true) {
		throw itemError(
			this.getNode(),
			`The account tool ${name} failed: ${errorText(answer) || 'it gave no reason'}`,
			{
				itemIndex,
				description:
					'The tool ran and reported this error (isError). Check its arguments against its input ' +
					'schema (Account Tool > Get).',
			},
		);
	}
	if (!isReadOnly(tool) && !run.hinted.has(name)) {
		run.hinted.add(name);
		this.addExecutionHints({
			message:
				`${tool.annotations?.title ?? name} (${name}) changes data in Appcues: it is not ` +
				'marked read-only.',
			location: 'outputPane',
		});
	}
	return await callOutput.call(this, answer, name, itemIndex);
}

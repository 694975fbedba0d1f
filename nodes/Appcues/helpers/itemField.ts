import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * A parameter that is only `{{ $json.a.b }}` (the whole value, names of letters, digits and
 * underscores): the field path it reads from the item.
 */
const ITEM_FIELD = /^=\{\{\s*\$json((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}\}$/;
/** Names n8n's expressions refuse or treat specially: such expressions are left to n8n. */
const SPECIAL_NAMES = new Set(['constructor', 'prototype', '__proto__']);

interface FieldRead {
	/** The field path the parameter reads, or null when it is anything else. */
	path: string[] | null;
	/** Whether a direct read matched n8n's evaluation of the same item yet. */
	confirmed: boolean;
}

interface RunFields {
	items: INodeExecutionData[];
	/** Per parameter name. */
	reads: Map<string, FieldRead>;
}

/** Per execution context (one node run): its input and the parsed parameters. */
const runs = new WeakMap<IExecuteFunctions, RunFields>();

/**
 * As a tool of an AI agent, `$json` may be the agent's item while the node's input is the tool
 * call: such runs are left to n8n.
 */
function isToolRun(context: IExecuteFunctions): boolean {
	return context.isToolExecution?.() === true || context.getNode().type.endsWith('Tool');
}

function fieldRead(
	context: IExecuteFunctions,
	name: string,
): { items: INodeExecutionData[]; read: FieldRead } {
	let run = runs.get(context);
	if (!run) {
		run = { items: context.getInputData(), reads: new Map() };
		runs.set(context, run);
	}
	let read = run.reads.get(name);
	if (!read) {
		// The unevaluated value is the same for every item of the run.
		const raw: unknown = context.getNodeParameter(name, 0, '', { rawExpressions: true });
		const match = typeof raw === 'string' ? ITEM_FIELD.exec(raw) : null;
		const names = match ? match[1].slice(1).split('.') : [];
		const direct = match && !names.some((part) => SPECIAL_NAMES.has(part)) && !isToolRun(context);
		read = { path: direct ? names : null, confirmed: false };
		run.reads.set(name, read);
	}
	return { items: run.items, read };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const prototype: unknown = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

/** The text or finite number at `path` in the item's JSON, read through plain objects only. */
function scalarAt(json: unknown, path: string[]): string | number | undefined {
	let value: unknown = json;
	for (const name of path) {
		if (!isPlainObject(value) || !Object.hasOwn(value, name)) return undefined;
		value = value[name];
	}
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	return undefined;
}

/**
 * The value of a text parameter for one item, as `getNodeParameter` gives it. n8n evaluates every
 * expression in its sandbox (in n8n 2.x an isolate), which costs about a millisecond per item
 * and parameter, so reading the parameters of a few hundred items would hold back the first
 * request by that many milliseconds. The commonest expression, `{{ $json.field }}`, only reads
 * the item's own data: when it finds text or a finite number there, that is the value, exactly
 * what n8n's evaluation returns (the first such read of a run is checked against n8n's result
 * for the same item). Everything else (any other expression, a missing field, an object, a list,
 * a boolean, null, a run as an agent's tool) is evaluated by n8n, so its result and its errors
 * are n8n's.
 */
export function readItemText(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	options?: { extractValue?: boolean },
): unknown {
	const { items, read } = fieldRead(context, name);
	const direct = read.path ? scalarAt(items[itemIndex]?.json, read.path) : undefined;
	if (direct !== undefined && read.confirmed) return direct;
	const evaluated = context.getNodeParameter(name, itemIndex, '', options) as unknown;
	// The first direct read is checked against n8n's own result; one mismatch ends direct reads.
	if (direct !== undefined) {
		if (evaluated === direct) read.confirmed = true;
		else read.path = null;
	}
	return evaluated;
}

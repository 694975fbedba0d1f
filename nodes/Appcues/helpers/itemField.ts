import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * A parameter that is only `{{ $json.a.b }}` (the whole value, names of letters, digits and
 * underscores): the field path it reads from the item.
 */
const ITEM_FIELD = /^=\{\{\s*\$json((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}\}$/;
/** Names n8n's expressions refuse or treat specially: such expressions are left to n8n. */
const SPECIAL_NAMES = new Set(['constructor', 'prototype', '__proto__']);

interface RunFields {
	items: INodeExecutionData[];
	/** Per parameter name: the field path it reads, or null when it is anything else. */
	paths: Map<string, string[] | null>;
}

/** Per execution context (one node run): its input and the parsed parameters. */
const runs = new WeakMap<IExecuteFunctions, RunFields>();

function fieldPath(
	context: IExecuteFunctions,
	name: string,
): RunFields & { path: string[] | null } {
	let run = runs.get(context);
	if (!run) {
		run = { items: context.getInputData(), paths: new Map() };
		runs.set(context, run);
	}
	let path = run.paths.get(name);
	if (path === undefined) {
		// The unevaluated value is the same for every item of the run.
		const raw: unknown = context.getNodeParameter(name, 0, '', { rawExpressions: true });
		const match = typeof raw === 'string' ? ITEM_FIELD.exec(raw) : null;
		const names = match ? match[1].slice(1).split('.') : [];
		path = match && !names.some((part) => SPECIAL_NAMES.has(part)) ? names : null;
		run.paths.set(name, path);
	}
	return { ...run, path };
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
 * what n8n's evaluation returns. Everything else (any other expression, a missing field, an
 * object, a list, a boolean, null) is evaluated by n8n, so its result and its errors are n8n's.
 */
export function readItemText(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	options?: { extractValue?: boolean },
): unknown {
	const { items, path } = fieldPath(context, name);
	if (path) {
		const value = scalarAt(items[itemIndex]?.json, path);
		if (value !== undefined) return value;
	}
	return context.getNodeParameter(name, itemIndex, '', options) as unknown;
}

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * A parameter that is only `{{ $json.a.b }}` (the whole value, names of letters, digits and
 * underscores): the field path it reads from the item.
 */
const ITEM_FIELD = /^=\{\{\s*\$json((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}\}$/;
/** Names n8n's expressions refuse or treat specially: such expressions are left to n8n. */
const SPECIAL_NAMES = new Set(['constructor', 'prototype', '__proto__']);
/**
 * The `$` names an expression may use to be evaluated for all items at once: `$json`, which the
 * batch binds to each item's JSON, and names whose value does not depend on the item. Any other
 * (`$input`, `$itemIndex`, `$('Node')`, …) leaves the expression to be evaluated item by item.
 */
const ITEM_FREE_NAMES = new Set(['$json', '$execution', '$workflow', '$vars', '$now', '$today']);
/** Words through which an expression could reach the item n8n evaluates for, not its own. */
const CONTEXT_WORDS = /\bthis\b|\bglobal(?:This)?\b|___n8n/;
/** Below this many items, one evaluation per item costs no more than a batch and its checks. */
const MIN_BATCH_ITEMS = 4;
/**
 * Upper bounds on one batch, so it stays far inside the limits n8n sets on one evaluation (5 s
 * and 128 MB in its isolate): all input items are copied in.
 */
const MAX_BATCH_ITEMS = 2000;
const MAX_BATCH_JSON_CHARS = 2_000_000;

interface FieldRead {
	/** The field path the parameter reads, or null when it is anything else. */
	path: string[] | null;
	/** Whether a direct read matched n8n's evaluation of the same item yet. */
	confirmed: boolean;
	/** An expression that gives the parameter's value for every item in one evaluation. */
	batchExpression: string | null;
	/** Its values, once evaluated and matched against n8n's own (null: not usable). */
	batch?: unknown[] | null;
}

interface RunFields {
	items: INodeExecutionData[];
	/** Whether the items fit one batch (see fitsOneBatch), once asked. */
	fitsOneBatch?: boolean;
	/** Per parameter name. */
	reads: Map<string, FieldRead>;
	/** Per collection parameter: its unevaluated value when it can be read field by field. */
	collections: Map<string, object | null>;
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

/** A JavaScript string literal of `text` with no braces, so it cannot close a `{{ }}`. */
function textLiteral(text: string): string {
	return JSON.stringify(text).replace(/[{}]/g, (brace) => (brace === '{' ? '\\u007b' : '\\u007d'));
}

/**
 * For a parameter that is one `{{ … }}` expression, or text with `{{ … }}` expressions in it, an
 * expression that evaluates it for every input item at once: `$input.all().map(…)` with `$json`
 * bound to each item's JSON, and text joined as n8n joins it. Null when the parameter uses
 * anything that depends on the item other than `$json`, or holds a backslash (n8n reads escapes
 * in such text its own way, and a `\u` escape could spell any name).
 */
export function batchExpressionOf(raw: unknown): string | null {
	if (typeof raw !== 'string' || !raw.startsWith('=') || raw.includes('\\')) return null;
	const chunks: Array<{ code: boolean; text: string }> = [];
	let rest = raw.slice(1);
	while (rest) {
		const open = rest.indexOf('{{');
		if (open < 0) break;
		const close = rest.indexOf('}}', open + 2);
		if (close < 0) return null;
		chunks.push({ code: false, text: rest.slice(0, open) });
		chunks.push({ code: true, text: rest.slice(open + 2, close) });
		rest = rest.slice(close + 2);
	}
	if (rest) chunks.push({ code: false, text: rest });
	const codes = chunks.filter((chunk) => chunk.code).map((chunk) => chunk.text);
	if (!codes.length) return null;
	for (const code of codes) {
		if (!code.trim() || CONTEXT_WORDS.test(code)) return null;
		for (const [name] of code.matchAll(/\$[\w$]*/g)) if (!ITEM_FREE_NAMES.has(name)) return null;
	}
	// Newlines around the code keep a trailing `//` comment from swallowing what follows.
	const value = (code: string) => `(\n${code.trimStart().startsWith('{') ? `(${code})` : code}\n)`;
	let perItem: string;
	if (chunks.length === 2 && chunks[0].text === '') {
		// The whole parameter is one expression: its value as it is, of any type.
		perItem = value(codes[0]);
	} else {
		// Text with expressions: each as n8n renders it in text (empty for null and undefined).
		const parts = chunks
			.filter((chunk) => chunk.code || chunk.text)
			.map((chunk) =>
				chunk.code
					? `((v) => (v = ${value(chunk.text)}, v || v === 0 || v === false ? v : ''))()`
					: textLiteral(chunk.text),
			);
		perItem = `[${parts.join(', ')}].join('')`;
	}
	return `{{ $input.all().map(($appcuesItem) => (($json) => ${perItem})($appcuesItem.json)) }}`;
}

function runOf(context: IExecuteFunctions): RunFields {
	let run = runs.get(context);
	if (!run) {
		run = { items: context.getInputData(), reads: new Map(), collections: new Map() };
		runs.set(context, run);
	}
	return run;
}

function fieldRead(
	context: IExecuteFunctions,
	name: string,
): { items: INodeExecutionData[]; read: FieldRead } {
	const run = runOf(context);
	let read = run.reads.get(name);
	if (!read) {
		// The unevaluated value is the same for every item of the run.
		const raw: unknown = context.getNodeParameter(name, 0, '', { rawExpressions: true });
		const match = typeof raw === 'string' ? ITEM_FIELD.exec(raw) : null;
		const names = match ? match[1].slice(1).split('.') : [];
		const tool = isToolRun(context);
		const direct = match && !names.some((part) => SPECIAL_NAMES.has(part)) && !tool;
		const batchable = !direct && !tool && typeof context.evaluateExpression === 'function';
		read = {
			path: direct ? names : null,
			confirmed: false,
			batchExpression:
				batchable && (run.fitsOneBatch ??= fitsOneBatch(run.items)) ? batchExpressionOf(raw) : null,
		};
		run.reads.set(name, read);
	}
	return { items: run.items, read };
}

/** Whether all items are few and small enough to be copied into one evaluation. */
function fitsOneBatch(items: INodeExecutionData[]): boolean {
	if (items.length < MIN_BATCH_ITEMS || items.length > MAX_BATCH_ITEMS) return false;
	let chars = 0;
	try {
		for (const item of items) {
			chars += JSON.stringify(item)?.length ?? 0;
			if (chars > MAX_BATCH_JSON_CHARS) return false;
		}
	} catch {
		return false;
	}
	return true;
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

/** Text, a finite number or a boolean. */
function isPlainValue(value: unknown): value is string | number | boolean {
	return (
		typeof value === 'string' ||
		typeof value === 'boolean' ||
		(typeof value === 'number' && Number.isFinite(value))
	);
}

/**
 * A value that `getNodeParameter` returns as the expression gave it: a plain value, or a plain
 * object or list holding only plain values, null and more of the same (n8n rewrites dates, for
 * one, and an undefined field or NaN would not survive a comparison through JSON).
 */
function isSettledValue(value: unknown, depth = 0): boolean {
	if (isPlainValue(value)) return true;
	if (depth > 0 && value === null) return true;
	if (depth > 32 || typeof value !== 'object' || value === null) return false;
	const entries = Array.isArray(value)
		? value
		: isPlainObject(value)
			? Object.values(value)
			: undefined;
	return !!entries && entries.every((entry: unknown) => isSettledValue(entry, depth + 1));
}

function sameSettledValue(a: unknown, b: unknown): boolean {
	if (!isSettledValue(a) || !isSettledValue(b)) return false;
	return typeof a === 'object' ? JSON.stringify(a) === JSON.stringify(b) : a === b;
}

/**
 * Every item's value from one evaluation of the batch expression, or null when that evaluation
 * fails or differs from n8n's own for the item being read or for the last item.
 */
function checkedBatch(
	context: IExecuteFunctions,
	name: string,
	expression: string,
	count: number,
	itemIndex: number,
	evaluated: unknown,
	options: { extractValue?: boolean } | undefined,
): unknown[] | null {
	try {
		const values = context.evaluateExpression(expression, itemIndex) as unknown;
		if (!Array.isArray(values) || values.length !== count) return null;
		const agrees = (index: number, value: unknown) => sameSettledValue(values[index], value);
		if (!agrees(itemIndex, evaluated)) return null;
		const last = count - 1;
		if (last !== itemIndex && !agrees(last, context.getNodeParameter(name, last, '', options)))
			return null;
		return values as unknown[];
	} catch {
		// n8n's own evaluation of each item gives the error, if there is one.
		return null;
	}
}

/**
 * The value of a text parameter for one item, as `getNodeParameter` gives it. n8n evaluates every
 * expression in its sandbox (in n8n 2.x an isolate), which costs about a millisecond per item
 * and parameter, so reading the parameters of a few hundred items would hold back the first
 * request by that many milliseconds. Two cheaper ways give exactly n8n's values:
 * - `{{ $json.field }}` only reads the item's own data: text or a finite number found there is
 *   the value;
 * - an expression that depends on the item only through `$json` is evaluated by n8n once for all
 *   items (see `batchExpressionOf`); text, finite numbers, booleans and plain JSON objects and
 *   lists of them are the values.
 * The first item read each way is checked against n8n's own evaluation of it (the batch also on
 * the last item), and one mismatch ends that way for the parameter. Everything else (other
 * expressions, objects, lists, null, a failed evaluation, a run as an agent's tool) is
 * evaluated by n8n item by item, so its result and its errors are n8n's.
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
	const batched = read.batch?.[itemIndex];
	// A copy of an object, as n8n gives a new one each time it evaluates.
	if (isSettledValue(batched))
		return typeof batched === 'object' ? structuredClone(batched) : batched;
	const evaluated = context.getNodeParameter(name, itemIndex, '', options) as unknown;
	// The first direct read is checked against n8n's own result; one mismatch ends direct reads.
	if (direct !== undefined) {
		if (evaluated === direct) read.confirmed = true;
		else read.path = null;
	} else if (read.batchExpression && read.batch === undefined) {
		read.batch = checkedBatch(
			context,
			name,
			read.batchExpression,
			items.length,
			itemIndex,
			evaluated,
			options,
		);
		context.logger?.debug(
			read.batch
				? `Appcues: parameter "${name}" evaluated once for all ${items.length} items`
				: `Appcues: parameter "${name}" evaluated item by item (the evaluation for all items failed or differed)`,
		);
	}
	return evaluated;
}

/** Names through which an expression in a collection sees the other fields of the parameter. */
const SIBLING_NAMES = /\$(?:parameter|rawParameter|self)\b/;
/** Field names that make a plain path for `getNodeParameter` (no dots, brackets or spaces). */
const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/** Lists and plain objects down to text, numbers, booleans and null, with plain names. */
function isSeparable(raw: unknown, depth = 0): boolean {
	if (raw === null || ['string', 'number', 'boolean'].includes(typeof raw)) return true;
	if (depth > 8) return false;
	if (Array.isArray(raw)) return raw.every((entry: unknown) => isSeparable(entry, depth + 1));
	return (
		isPlainObject(raw) &&
		Object.entries(raw).every(
			([key, value]) => PLAIN_KEY.test(key) && isSeparable(value, depth + 1),
		)
	);
}

function readLeaves(
	context: IExecuteFunctions,
	raw: unknown,
	path: string,
	itemIndex: number,
): unknown {
	if (Array.isArray(raw))
		return raw.map((entry: unknown, index) =>
			readLeaves(context, entry, `${path}[${index}]`, itemIndex),
		);
	if (isPlainObject(raw))
		return Object.fromEntries(
			Object.entries(raw).map(([key, value]) => [
				key,
				readLeaves(context, value, `${path}.${key}`, itemIndex),
			]),
		);
	// Only text that starts with "=" is an expression; n8n gives anything else as it is.
	if (typeof raw !== 'string' || !raw.startsWith('=')) return raw;
	const value = readItemText(context, path, itemIndex);
	// n8n turns a date inside a collection into text (its cleanupParameterData), which it does
	// not for a field read on its own.
	return (value as { isLuxonDateTime?: unknown } | null)?.isLuxonDateTime === true
		? String(value)
		: value;
}

/**
 * A collection or list parameter for one item, as `getNodeParameter` gives it, with each of its
 * fields read by `readItemText`: an item expression in a field then costs no evaluation per
 * item. When an expression refers to the other fields (`$parameter`), or the parameter holds
 * anything else, n8n evaluates it whole, as it always does.
 */
export function readItemFields(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback: unknown,
): unknown {
	const { collections } = runOf(context);
	let raw = collections.get(name);
	if (raw === undefined) {
		// The unevaluated value is the same for every item of the run: judged once.
		const value: unknown = context.getNodeParameter(name, itemIndex, fallback as never, {
			rawExpressions: true,
		});
		const separable =
			typeof value === 'object' &&
			value !== null &&
			isSeparable(value) &&
			!SIBLING_NAMES.test(JSON.stringify(value));
		raw = separable ? value : null;
		collections.set(name, raw);
	}
	if (raw === null) return context.getNodeParameter(name, itemIndex, fallback as never);
	return readLeaves(context, raw, name, itemIndex);
}

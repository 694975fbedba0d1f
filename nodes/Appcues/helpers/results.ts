import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

/** Object bodies are returned as they are; an empty or non-object body becomes `fallback`. */
export function objectOr(body: unknown, fallback: IDataObject): IDataObject {
	if (body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length) {
		return body as IDataObject;
	}
	return fallback;
}

/**
 * Appcues list routes answer a bare array, or an object that wraps one array (as Appcues' own
 * CLI reads them).
 */
export function asList(body: unknown, preferredKey?: string): IDataObject[] {
	return entriesOf(body, preferredKey).filter(isEntry);
}

/** The entries of a list answer as they are, objects or not (analytics rows may be either). */
export function entriesOf(body: unknown, preferredKey?: string): unknown[] {
	if (Array.isArray(body)) return body;
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		if (preferredKey && Array.isArray(record[preferredKey])) return record[preferredKey];
		const arrays = Object.values(record).filter(Array.isArray);
		if (arrays.length === 1) return arrays[0];
	}
	return [];
}

/** A list's entries are objects; anything else in it (null, text) is not an entry. */
function isEntry(entry: unknown): entry is IDataObject {
	return typeof entry === 'object' && entry !== null && !Array.isArray(entry);
}

/** The item n8n shows for a failed input when "Continue On Fail" is on. */
export function errorItem(
	error: unknown,
	pairedItem: IPairedItemData | IPairedItemData[],
): INodeExecutionData {
	const { message, description } = error as { message?: string; description?: string | null };
	return {
		json: { error: message ?? String(error), ...(description ? { description } : {}) },
		pairedItem,
	};
}

/** The first input item an output item is paired with (outputs without pairing go last). */
function firstPairedItem(item: INodeExecutionData): number {
	const paired = item.pairedItem;
	const list = Array.isArray(paired) ? paired : paired === undefined ? [] : [paired];
	let first = Number.POSITIVE_INFINITY;
	for (const entry of list) {
		const index = typeof entry === 'number' ? entry : entry.item;
		if (index < first) first = index;
	}
	return first;
}

/**
 * Output items in the order of the input items they are paired with: an item paired with several
 * inputs (a combined request) stands where its first input stood, and items of the same input keep
 * their order. So error items stand in place, and positional consumers (Merge by position) pair
 * them right.
 */
export function inInputOrder(items: INodeExecutionData[]): INodeExecutionData[] {
	return items
		.map((item, position) => ({ item, position, first: firstPairedItem(item) }))
		.sort((a, b) => a.first - b.first || a.position - b.position)
		.map(({ item }) => item);
}

import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorItemOrThrow } from './errors';
import { idList } from './input';

export interface GatheredIds {
	key: string;
	ids: string[];
	items: number[];
}

/**
 * Collects the user IDs of every input item into groups (one group per key, e.g. per segment),
 * de-duplicated in first-seen order. An item without IDs fails on its own: with Continue On
 * Fail it becomes an error item, otherwise it stops the node before anything is sent.
 */
export function gatherIds(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	keyOf: (itemIndex: number) => string,
	output: INodeExecutionData[],
	parameterName = 'userIds',
	label = 'User IDs',
): GatheredIds[] {
	const groups = new Map<string, { key: string; ids: Set<string>; items: number[] }>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const key = keyOf(itemIndex);
			const ids = idList(this.getNodeParameter(parameterName, itemIndex, ''));
			if (!ids.length) {
				throw new NodeOperationError(this.getNode(), `${label} is empty [item ${itemIndex}]`, {
					description: 'Give at least one user ID, or check that the expression gives one for this item.',
					itemIndex,
				});
			}
			const group = groups.get(key) ?? { key, ids: new Set<string>(), items: [] };
			ids.forEach((id) => group.ids.add(id));
			group.items.push(itemIndex);
			groups.set(key, group);
		} catch (caught) {
			output.push(errorItemOrThrow.call(this, caught, itemIndex));
		}
	}
	return [...groups.values()].map((group) => ({ key: group.key, ids: [...group.ids], items: group.items }));
}

export function pairedItems(items: number[]): IPairedItemData | IPairedItemData[] {
	return items.length === 1 ? { item: items[0] } : items.map((item) => ({ item }));
}

export function chunk<T>(list: T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < list.length; start += size) chunks.push(list.slice(start, start + size));
	return chunks;
}

/**
 * Runs `work` for each input item in order. A failure stops the node, or with Continue On Fail
 * becomes that item's error item while the others go on.
 */
export async function eachItem(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	work: (itemIndex: number) => Promise<INodeExecutionData['json']>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push({ json: await work(itemIndex), pairedItem: { item: itemIndex } });
		} catch (caught) {
			output.push(errorItemOrThrow.call(this, caught, itemIndex));
		}
	}
	return output;
}

import type { IExecuteFunctions, INode, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { UnsafePathSegmentError } from '../transport/paths';
import { errorItem } from './results';

/**
 * Errors from this package are already NodeApiError or NodeOperationError; anything else is
 * wrapped by its message only, since a foreign error object may carry request options.
 */
export function ensureNodeError(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context.itemIndex === undefined)
			error.context.itemIndex = itemIndex;
		return error;
	}
	const message = error instanceof Error ? error.message : String(error);
	const suffix =
		itemIndex !== undefined && error instanceof UnsafePathSegmentError
			? ` [item ${itemIndex}]`
			: '';
	return new NodeOperationError(node, `${message}${suffix}`, { itemIndex });
}

/**
 * The one Continue On Fail rule for operations that handle failures themselves: without it the
 * error stops the node; with it the error becomes an item paired with the inputs it concerns.
 */
export function errorItemOrThrow(
	this: IExecuteFunctions,
	caught: unknown,
	itemIndex: number,
	pairedItem: IPairedItemData | IPairedItemData[] = { item: itemIndex },
): INodeExecutionData {
	const error = ensureNodeError(this.getNode(), caught, itemIndex);
	if (!this.continueOnFail()) throw error;
	return errorItem(error, pairedItem);
}

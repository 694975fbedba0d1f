import type { IExecuteFunctions, INode, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { UnsafePathSegmentError } from '../transport/paths';
import { errorItem } from './results';

/**
 * An error about one input item: its parameters, its file or its result. The one place the item
 * suffix is written: the message ends with "[item N]", so the item is named also where only the
 * message is shown (an error item's json, an AI tool's answer, a log line), and the item index
 * goes into the context for n8n's editor. Transport errors name the request instead.
 */
export function itemError(
	node: INode,
	message: string,
	options: ConstructorParameters<typeof NodeOperationError>[2] & { itemIndex: number },
): NodeOperationError {
	return new NodeOperationError(node, `${message} [item ${options.itemIndex}]`, options);
}

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
	if (itemIndex !== undefined && error instanceof UnsafePathSegmentError)
		return itemError(node, message, { itemIndex });
	return new NodeOperationError(node, message, { itemIndex });
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

/**
 * When a later request of several fails, the error says how many were already accepted by Appcues
 * (and what they carried), so that nobody sends those again by hand.
 */
export function notePartial<E extends { description?: string | null }>(
	error: E,
	accepted: number,
	total: number,
	what: string,
	carried = '',
): E {
	if (accepted > 0) {
		error.description = (
			`${error.description ?? ''} ${accepted} of ${total} ${what} had already been accepted ` +
			`by Appcues before this one failed${carried ? ` (${carried})` : ''}.`
		).trim();
	}
	return error;
}

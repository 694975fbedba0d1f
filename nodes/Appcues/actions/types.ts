import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { AppcuesClient } from '../transport/client';

/** Runs once per input item; the router adds pairedItem, concurrency and continueOnFail. */
export interface ItemOperation {
	mode?: 'item';
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		itemIndex: number,
	): Promise<IDataObject | IDataObject[]>;
}

/**
 * Sees all input items at once (to combine them into fewer requests). It sets pairedItem itself
 * and handles continueOnFail for the items it groups.
 */
export interface BatchOperation {
	mode: 'batch';
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		items: INodeExecutionData[],
	): Promise<INodeExecutionData[]>;
}

export type Operation = ItemOperation | BatchOperation;

export interface ResourceModule {
	operations: Record<string, Operation>;
	description: INodeProperties[];
}

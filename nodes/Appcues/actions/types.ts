import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { AppcuesClient } from '../transport/client';

const BINARY_OUTPUT = Symbol('binary output');

/** An item output that carries a file besides its JSON. */
export interface BinaryOutput {
	[BINARY_OUTPUT]: true;
	json: IDataObject;
	binary: IBinaryKeyData;
}

export function withBinary(json: IDataObject, binary: IBinaryKeyData): BinaryOutput {
	return { [BINARY_OUTPUT]: true, json, binary };
}

export function isBinaryOutput(value: unknown): value is BinaryOutput {
	return Boolean(value && typeof value === 'object' && BINARY_OUTPUT in value);
}

/** Runs once per input item; the router adds pairedItem, concurrency and continueOnFail. */
export interface ItemOperation {
	mode?: 'item';
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		itemIndex: number,
	): Promise<IDataObject | IDataObject[] | BinaryOutput>;
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

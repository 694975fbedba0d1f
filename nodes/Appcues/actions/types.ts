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

/**
 * Runs once per input item, in two steps: the router calls `prepare` for every item first, and
 * `execute` only once all of them passed (see prepareItems), so bad input anywhere means no
 * request at all. The router adds pairedItem, concurrency and continueOnFail.
 */
export interface ItemOperation<Plan = unknown> {
	mode?: 'item';
	description: INodeProperties[];
	/** Reads and checks the item's parameters and returns what `execute` needs. Sends nothing. */
	prepare(this: IExecuteFunctions, itemIndex: number): Plan;
	/**
	 * Optional: checks a prepared item against what must be read from Appcues first (an account
	 * tool's input schema). It runs for every item before the first `execute`, and only reads.
	 */
	check?(
		this: IExecuteFunctions,
		client: AppcuesClient,
		plan: Plan,
		itemIndex: number,
	): Promise<void>;
	/** Sends the requests of one prepared item; it reads no parameter. */
	execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		plan: Plan,
		itemIndex: number,
	): Promise<IDataObject | BinaryOutput | Array<IDataObject | BinaryOutput>>;
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
	/** The resource's name in the Resource list, e.g. "Analytics". */
	displayName: string;
	operations: Record<string, Operation>;
	description: INodeProperties[];
}

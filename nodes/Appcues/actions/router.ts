import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { ensureNodeError } from '../helpers/errors';
import { prepareItemsInTurns } from '../helpers/gather';
import { errorItem, inInputOrder } from '../helpers/results';
import { capAnswer, readAnswerLimit } from '../helpers/toolOutput';
import { AppcuesClient } from '../transport/client';
import { accountTool } from './accountTool';
import { analytics } from './analytics';
import { experience } from './experience';
import { exportResource } from './export';
import { group } from './group';
import { importResource } from './import';
import { job } from './job';
import { readRunSettings } from './options';
import { segment } from './segment';
import { tag } from './tag';
import { isBinaryOutput, type ItemOperation, type ResourceModule } from './types';
import { user } from './user';

export const resources: Record<string, ResourceModule> = {
	accountTool,
	analytics,
	experience,
	export: exportResource,
	group,
	import: importResource,
	job,
	segment,
	tag,
	user,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.operations[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of resource "${resource}" is not supported`,
		);
	}
	const settings = readRunSettings.call(this);
	// As an agent's tool, the answer is kept within Max Answer Length (read before any request).
	const answerLimit = readAnswerLimit.call(this);
	const client = new AppcuesClient(this, settings);
	client.prefetchCredentials();

	const output =
		operation.mode === 'batch'
			? inInputOrder(await operation.execute.call(this, client, items))
			: await runPerItem.call(this, operation, client, items.length, settings.concurrency);
	return [capAnswer(output, answerLimit)];
}

/**
 * Prepares every item first (reading and checking its parameters, see prepareItemsInTurns), then
 * runs the prepared items `concurrency` at a time and returns the outputs in input order. Without
 * Continue On Fail the first failed request stops new items from starting and is thrown once the
 * items already under way have finished.
 */
async function runPerItem(
	this: IExecuteFunctions,
	operation: ItemOperation,
	client: AppcuesClient,
	itemCount: number,
	concurrency: number,
): Promise<INodeExecutionData[]> {
	const outputs: INodeExecutionData[][] = new Array(itemCount);
	const { plans, errorItems } = await prepareItemsInTurns(this, itemCount, (itemIndex) =>
		operation.prepare.call(this, itemIndex),
	);
	for (const [itemIndex, item] of errorItems) outputs[itemIndex] = [item];
	if (operation.check) {
		for (const [itemIndex, plan] of plans) {
			try {
				await operation.check.call(this, client, plan, itemIndex);
			} catch (caught) {
				const error = ensureNodeError(this.getNode(), caught, itemIndex);
				if (!this.continueOnFail()) throw error;
				outputs[itemIndex] = [errorItem(error, { item: itemIndex })];
				plans.delete(itemIndex);
			}
		}
	}
	const queue = [...plans.entries()];
	const failures: Array<{ itemIndex: number; error: NodeApiError | NodeOperationError }> = [];
	let next = 0;

	const worker = async () => {
		while (next < queue.length && failures.length === 0) {
			const [itemIndex, plan] = queue[next++];
			try {
				const result = await operation.execute.call(this, client, plan, itemIndex);
				const list = Array.isArray(result) ? result : [result];
				outputs[itemIndex] = list.map((entry) =>
					isBinaryOutput(entry)
						? { json: entry.json, binary: entry.binary, pairedItem: { item: itemIndex } }
						: { json: entry, pairedItem: { item: itemIndex } },
				);
			} catch (caught) {
				const error = ensureNodeError(this.getNode(), caught, itemIndex);
				if (this.continueOnFail()) {
					outputs[itemIndex] = [errorItem(error, { item: itemIndex })];
				} else {
					failures.push({ itemIndex, error });
				}
			}
		}
	};
	// Each worker starts a turn of the event loop after the one before (Node's shortest timer,
	// 1 ms): the first request opens its connection and leaves while the next is prepared, instead
	// of after all of them (in a fresh n8n process that is a few milliseconds per request). They
	// start once the credential is loaded (every request waits for it, so they would all be
	// prepared together when it comes); if it fails, each item's request gives the error.
	await client.getCredentials().catch(() => undefined);
	const workers: Array<Promise<void>> = [];
	const workerCount = Math.min(concurrency, queue.length);
	for (let started = 0; started < workerCount; started++) {
		if (started > 0) await sleep(1);
		workers.push(worker());
	}
	await Promise.all(workers);

	if (failures.length) {
		failures.sort((a, b) => a.itemIndex - b.itemIndex);
		throw noteSucceeded(failures[0].error, outputs);
	}
	return outputs.flat();
}

/** How many item numbers an error lists by name. */
const LISTED_ITEMS = 10;

/**
 * The items that succeeded before the node stopped (earlier ones, and later ones that were
 * already under way): their output is dropped with the error, so it says which they were, since
 * running the node again would repeat them.
 */
function noteSucceeded(
	error: NodeApiError | NodeOperationError,
	outputs: INodeExecutionData[][],
): NodeApiError | NodeOperationError {
	// Without Continue On Fail, only items that succeeded have an output.
	const succeeded: number[] = [];
	outputs.forEach((output, itemIndex) => {
		if (output) succeeded.push(itemIndex);
	});
	if (!succeeded.length) return error;
	const listed = succeeded.slice(0, LISTED_ITEMS).join(', ');
	const more =
		succeeded.length > LISTED_ITEMS ? ` and ${succeeded.length - LISTED_ITEMS} more` : '';
	const one = succeeded.length === 1;
	error.description = (
		`${error.description ?? ''} ${one ? 'Item' : 'Items'} ${listed}${more} had already ` +
		`succeeded; running the node again repeats ${one ? 'it' : 'them'}.`
	).trim();
	return error;
}

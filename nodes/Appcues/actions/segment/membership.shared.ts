import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { SET_ONCE, segmentLocator, setOnce } from '../../helpers/descriptions';
import { ensureNodeError, errorItemOrThrow, notePartial } from '../../helpers/errors';
import { errorItem } from '../../helpers/results';
import { assertColumns, uploadInputFile } from '../../helpers/files';
import { runsAsTool } from '../../helpers/toolOutput';
import { chunk, eachItem, gatherIds, pairedItems } from '../../helpers/gather';
import { readBoolean, readChoice, requiredId } from '../../helpers/input';
import { finishJob, readWaitSettings, waitFields, type WaitSettings } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import type { BatchOperation } from '../types';

/** No documented cap exists; this keeps each JSON body far below the 20 MB request limit. */
export const USER_IDS_PER_REQUEST = 10_000;

/** `job_ids` of the accepted jobs that have one, or nothing. */
function jobIdsOf(jobs: unknown[]): { job_ids?: unknown[] } {
	const jobIds = jobs
		.map((job) => (job && typeof job === 'object' ? (job as IDataObject).job_id : undefined))
		.filter((id) => id !== undefined && id !== null);
	return jobIds.length ? { job_ids: jobIds } : {};
}

/** "item 3", or "items 0, 2 and 5" (the first ten, then how many more). */
function itemList(items: number[]): string {
	if (items.length === 1) return `item ${items[0]}`;
	const listed = items.slice(0, 10);
	const more = items.length - listed.length;
	return more > 0
		? `items ${listed.join(', ')} and ${more} more`
		: `items ${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}`;
}

/**
 * With items for several segments, the changes of the segments before the failed one were
 * accepted whole: the error names them, since running the node again repeats them.
 */
function noteAcceptedBefore<E extends { description?: string | null }>(
	error: E,
	acceptedBefore: string[],
): E {
	if (acceptedBefore.length) {
		error.description = (
			`${error.description ?? ''} Before it, Appcues had accepted the whole change for ` +
			`${acceptedBefore.join('; ')}.`
		).trim();
	}
	return error;
}

/** Add and remove differ only in the route and the words; everything else is shared. */
export function membershipOperation(kind: 'addUsers' | 'removeUsers'): BatchOperation {
	const route = kind === 'addUsers' ? 'add_user_ids' : 'remove_user_ids';
	const verb = kind === 'addUsers' ? 'add to' : 'remove from';
	const countField = kind === 'addUsers' ? 'added' : 'removed';

	const description: INodeProperties[] = updateDisplayOptions(
		{ show: { resource: ['segment'], operation: [kind] } },
		[
			segmentLocator,
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				options: [
					{
						name: 'User IDs',
						value: 'ids',
						description: 'IDs from a field or expression of the input items',
					},
					{
						name: 'CSV File',
						value: 'binary',
						description: 'A CSV file with one user_id column, one request per input item',
					},
				],
				default: 'ids',
				description: SET_ONCE,
				displayOptions: { hide: { '@tool': [true] } },
			},
			{
				// An agent's tool cannot pass files: as a tool, the IDs come from the fields. A hidden
				// Source (not an absent one) keeps the fields that depend on it.
				displayName: 'Source',
				name: 'source',
				type: 'hidden',
				default: 'ids',
				description: SET_ONCE,
				displayOptions: { show: { '@tool': [true] } },
			},
			{
				displayName: 'User IDs',
				name: 'userIds',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. {{ $json.user_id }}',
				description:
					`IDs of the end users to ${verb} the segment: a list from an expression ` +
					'(one ID per entry), or text split on commas and new lines only ("a;b" is one ID)',
				displayOptions: { show: { source: ['ids'] } },
			},
			setOnce({
				displayName: 'Combine Input Items',
				name: 'combineItems',
				type: 'boolean',
				default: true,
				description:
					'Whether to gather the user IDs of all input items into one request per segment ' +
					`(split into requests of ${USER_IDS_PER_REQUEST.toLocaleString('en-US')} IDs), ` +
					'instead of one request per item',
				displayOptions: { show: { source: ['ids'] } },
			}),
			{
				displayName: 'Input Binary Field',
				name: 'binaryPropertyName',
				type: 'string',
				required: true,
				default: 'data',
				description:
					'Name of the binary property that holds the CSV file of user IDs (header row: user_id)',
				displayOptions: { show: { source: ['binary'] } },
			},
			...waitFields.map(setOnce),
		],
	);

	async function fromIds(
		this: IExecuteFunctions,
		client: AppcuesClient,
		items: INodeExecutionData[],
		wait: WaitSettings | undefined,
	): Promise<INodeExecutionData[]> {
		const combine = readBoolean.call(this, 'combineItems', 'Combine Input Items', 0, true);
		const output: INodeExecutionData[] = [];
		const segmentOfKey = new Map<string, string>();
		const batches = gatherIds.call(
			this,
			items,
			(itemIndex) => {
				const segmentId = requiredId.call(this, 'segmentId', 'Segment', itemIndex);
				const key = combine ? segmentId : `${itemIndex}\u0000${segmentId}`;
				segmentOfKey.set(key, segmentId);
				return key;
			},
			output,
		);
		// The segment changes Appcues accepted whole, for the error that stops the node.
		const acceptedBefore: string[] = [];
		for (const batch of batches) {
			const segmentId = segmentOfKey.get(batch.key)!;
			const pairedItem = pairedItems(batch.items);
			const chunks = chunk(batch.ids, USER_IDS_PER_REQUEST);
			const jobs: unknown[] = [];
			try {
				for (const ids of chunks) {
					const accepted = await client.request({
						method: 'POST',
						path: path`/segments/${segmentId}/${route}`,
						body: { user_ids: ids },
						itemIndex: batch.items[0],
					});
					jobs.push(accepted);
				}
			} catch (caught) {
				// The requests before this one were accepted: their IDs are applied, or will be.
				const applied = Math.min(jobs.length * USER_IDS_PER_REQUEST, batch.ids.length);
				const error = notePartial(
					ensureNodeError(this.getNode(), caught, batch.items[0]),
					jobs.length,
					chunks.length,
					`requests to ${verb} segment ${segmentId}`,
					`the first ${applied.toLocaleString('en-US')} ` +
						`of ${batch.ids.length.toLocaleString('en-US')} user IDs, in input order`,
				);
				if (!this.continueOnFail()) throw noteAcceptedBefore(error, acceptedBefore);
				// Items whose IDs all went in accepted requests are done; the error is the others'. With
				// Wait for Completion their jobs were not waited for, so none is done yet.
				const isDone = (n: number) => !wait && batch.needs[n] <= applied;
				const done = batch.items.filter((_, n) => isDone(n));
				const failed = batch.items.filter((_, n) => !isDone(n));
				const accepted = { segment_id: segmentId, [countField]: applied };
				if (done.length) {
					output.push({
						json: { ...accepted, requests: jobs.length, ...jobIdsOf(jobs) },
						pairedItem: pairedItems(done),
					});
				}
				const failedItem = errorItem(error, pairedItems(failed));
				output.push({
					...failedItem,
					json: {
						...failedItem.json,
						...accepted,
						requests: chunks.length,
						accepted_requests: jobs.length,
						...jobIdsOf(jobs),
					},
				});
				continue;
			}
			acceptedBefore.push(`segment ${segmentId} (${itemList(batch.items)})`);
			try {
				const finished = [];
				for (const job of jobs)
					finished.push(await finishJob.call(this, client, job, batch.items[0], wait));
				output.push({
					json: {
						segment_id: segmentId,
						[countField]: batch.ids.length,
						requests: jobs.length,
						...jobIdsOf(finished),
						...(wait ? { jobs: finished } : {}),
					},
					pairedItem,
				});
			} catch (caught) {
				output.push(errorItemOrThrow.call(this, caught, batch.items[0], pairedItem));
			}
		}
		return output;
	}

	async function fromFiles(
		this: IExecuteFunctions,
		client: AppcuesClient,
		items: INodeExecutionData[],
		wait: WaitSettings | undefined,
	): Promise<INodeExecutionData[]> {
		// Files are read one at a time, just before their upload; the segment and the file's presence
		// are checked first.
		const prepare = (itemIndex: number) => {
			const propertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
			this.helpers.assertBinaryData(itemIndex, propertyName);
			return { segmentId: requiredId.call(this, 'segmentId', 'Segment', itemIndex), propertyName };
		};
		return await eachItem(this, items, prepare, async ({ segmentId, propertyName }, itemIndex) => {
			const { accepted, file } = await uploadInputFile.call(this, client, {
				itemIndex,
				propertyName,
				format: 'csv',
				path: path`/segments/${segmentId}/${route}`,
				as: 'multipart',
				check: (read) => assertColumns.call(this, read, ['user_id'], itemIndex, { only: true }),
			});
			const job = await finishJob.call(this, client, accepted, itemIndex, wait);
			return { segment_id: segmentId, file_name: file.fileName, ...job };
		});
	}

	async function execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		items: INodeExecutionData[],
	): Promise<INodeExecutionData[]> {
		const wait = readWaitSettings.call(this, 0);
		return !runsAsTool(this) &&
			readChoice.call(this, 'source', 'Source', 0, ['ids', 'binary'], 'ids') === 'binary'
			? await fromFiles.call(this, client, items, wait)
			: await fromIds.call(this, client, items, wait);
	}

	return { mode: 'batch', description, execute };
}

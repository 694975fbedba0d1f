import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IPairedItemData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { ensureNodeError } from '../../helpers/errors';
import { segmentLocator } from '../../helpers/descriptions';
import { idList, requiredId } from '../../helpers/input';
import { errorItem } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { path } from '../../transport/paths';
import type { BatchOperation } from '../types';

/** No documented cap exists; this keeps each JSON body far below the 20 MB request limit. */
export const USER_IDS_PER_REQUEST = 10_000;

interface Batch {
	segmentId: string;
	userIds: Set<string>;
	items: number[];
}

/** Add and remove differ only in the route and the words; everything else is shared. */
export function membershipOperation(kind: 'addUsers' | 'removeUsers'): BatchOperation {
	const route = kind === 'addUsers' ? 'add_user_ids' : 'remove_user_ids';
	const verb = kind === 'addUsers' ? 'add to' : 'remove from';

	const description: INodeProperties[] = updateDisplayOptions(
		{ show: { resource: ['segment'], operation: [kind] } },
		[
			segmentLocator,
			{
				displayName: 'User IDs',
				name: 'userIds',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. {{ $json.user_id }}',
				description: `IDs of the end users to ${verb} the segment: a list, or text separated by commas or new lines`,
			},
			{
				displayName: 'Combine Input Items',
				name: 'combineItems',
				type: 'boolean',
				default: true,
				description: `Whether to gather the user IDs of all input items into one request per segment (split into requests of ${USER_IDS_PER_REQUEST.toLocaleString('en-US')} IDs), instead of one request per item`,
			},
		],
	);

	async function execute(
		this: IExecuteFunctions,
		client: AppcuesClient,
		items: INodeExecutionData[],
	): Promise<INodeExecutionData[]> {
		const combine = this.getNodeParameter('combineItems', 0, true) as boolean;
		const output: INodeExecutionData[] = [];
		const batches = new Map<string, Batch>();

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const segmentId = requiredId.call(this, 'segmentId', 'Segment', itemIndex);
				const userIds = idList(this.getNodeParameter('userIds', itemIndex, ''));
				if (!userIds.length) {
					throw new NodeOperationError(this.getNode(), `User IDs is empty [item ${itemIndex}]`, {
						description: 'Give at least one user ID, or check that the expression gives one for this item.',
						itemIndex,
					});
				}
				const key = combine ? segmentId : `${segmentId}\u0000${itemIndex}`;
				const batch = batches.get(key) ?? { segmentId, userIds: new Set<string>(), items: [] };
				userIds.forEach((id) => batch.userIds.add(id));
				batch.items.push(itemIndex);
				batches.set(key, batch);
			} catch (caught) {
				const error = ensureNodeError(this.getNode(), caught, itemIndex);
				if (!this.continueOnFail()) throw error;
				output.push(errorItem(error, { item: itemIndex }));
			}
		}

		for (const batch of batches.values()) {
			const pairedItem: IPairedItemData[] = batch.items.map((item) => ({ item }));
			const ids = [...batch.userIds];
			const responses: unknown[] = [];
			try {
				for (let start = 0; start < ids.length; start += USER_IDS_PER_REQUEST) {
					responses.push(
						await client.request({
							method: 'POST',
							path: path`/segments/${batch.segmentId}/${route}`,
							body: { user_ids: ids.slice(start, start + USER_IDS_PER_REQUEST) },
							itemIndex: batch.items[0],
						}),
					);
				}
			} catch (caught) {
				const error = ensureNodeError(this.getNode(), caught, batch.items[0]);
				if (!this.continueOnFail()) throw error;
				output.push(errorItem(error, pairedItem));
				continue;
			}
			const jobIds = responses
				.map((response) => (response as { job_id?: unknown } | undefined)?.job_id)
				.filter((id) => id !== undefined && id !== null);
			output.push({
				json: {
					segment_id: batch.segmentId,
					[kind === 'addUsers' ? 'added' : 'removed']: ids.length,
					requests: responses.length,
					...(jobIds.length ? { job_ids: jobIds } : {}),
				},
				pairedItem: pairedItem.length === 1 ? pairedItem[0] : pairedItem,
			});
		}
		return output;
	}

	return { mode: 'batch', description, execute };
}

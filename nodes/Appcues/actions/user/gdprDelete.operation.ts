import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import { errorItemOrThrow } from '../../helpers/errors';
import { chunk, gatherIds, pairedItems } from '../../helpers/gather';
import { objectOr } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';

/** Appcues documents no cap; requests are kept well below its 8 MB limit for CSV uploads. */
export const GDPR_IDS_PER_REQUEST = 10_000;

export const mode = 'batch';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['gdprDelete'] } },
	[
		{
			displayName:
				'This permanently erases the users and their data from Appcues (GDPR right to erasure). It cannot be undone. It uses the legacy API, so the credential needs its Legacy API Key.',
			name: 'gdprNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'User IDs',
			name: 'userIds',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. {{ $json.user_id }}',
			description:
				'IDs of the end users to erase: a list, or text separated by commas or new lines. The IDs of all input items are sent together.',
		},
	],
);

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	const [all] = gatherIds.call(this, items, () => 'all', output);
	if (!all) return output;
	for (const ids of chunk(all.ids, GDPR_IDS_PER_REQUEST)) {
		const pairedItem = pairedItems(all.items);
		try {
			const body = await client.request({
				method: 'POST',
				scope: 'root',
				path: '/v1/gdpr/delete',
				auth: 'legacyKey',
				body: { users: ids },
				itemIndex: all.items[0],
			});
			output.push({ json: { ...objectOr(body, { ok: true }), users: ids.length }, pairedItem });
		} catch (caught) {
			output.push(errorItemOrThrow.call(this, caught, all.items[0], pairedItem));
		}
	}
	return output;
}

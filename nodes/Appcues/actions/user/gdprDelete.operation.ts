import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { setOnce } from '../../helpers/descriptions';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { ensureNodeError, errorItemOrThrow, itemError, notePartial } from '../../helpers/errors';
import { chunk, pairedItems, prepareItems } from '../../helpers/gather';
import {
	ID_SEPARATORS,
	type IdSeparator,
	readBoolean,
	readChoice,
	readIdList,
} from '../../helpers/input';
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
				'This permanently erases the users and their data from ' +
				'Appcues (GDPR right to erasure). It cannot be undone. ' +
				'It uses the legacy API, so the credential needs its Legacy API Key.',
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
				'The ID of the end user to erase, exactly as it is (or a list ' +
				'from an expression, one ID per entry). The IDs of all input ' +
				'items are sent together; the output lists every ID sent.',
		},
		setOnce({
			displayName: 'Split User IDs On',
			name: 'idSeparator',
			type: 'options',
			options: [
				{
					name: 'Commas and New Lines',
					value: 'commaOrNewLine',
					description: 'Semicolons and other characters are part of an ID',
				},
				{
					name: 'New Lines',
					value: 'newLine',
					description: 'One user ID per line; commas and semicolons are part of an ID',
				},
				{
					name: 'Nothing: One ID per Item',
					value: 'none',
					description:
						'The text is one user ID. Text with a comma or a ' +
						'line break is refused, since it may be several IDs.',
				},
			],
			default: 'none',
			description:
				'How text in User IDs is split into IDs. A list from ' +
				'an expression is never split: each entry is one ID.',
		}),
		setOnce({
			displayName: 'Dry Run',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description:
				'Whether to only output the user IDs that would ' +
				'be erased, request by request, and send nothing',
		}),
	],
);

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const separator: IdSeparator = readChoice.call(
		this,
		'idSeparator',
		'Split User IDs On',
		0,
		ID_SEPARATORS,
		'none',
	) as IdSeparator;
	const dryRun = readBoolean.call(this, 'dryRun', 'Dry Run', 0, false);
	const { plans, errorItems } = prepareItems(this, items.length, (itemIndex) =>
		readUserIds.call(this, itemIndex, separator),
	);
	const output: INodeExecutionData[] = [...errorItems.values()];
	// Each ID once, in first-seen order, with the items that gave it.
	const itemsOfId = new Map<string, number[]>();
	for (const [itemIndex, ids] of plans) {
		for (const id of ids) {
			const owners = itemsOfId.get(id);
			if (!owners) itemsOfId.set(id, [itemIndex]);
			else if (owners[owners.length - 1] !== itemIndex) owners.push(itemIndex);
		}
	}
	const requests = chunk([...itemsOfId.keys()], GDPR_IDS_PER_REQUEST);
	let erased = 0;
	let accepted = 0;
	for (const [index, ids] of requests.entries()) {
		const itemIndexes = [...new Set(ids.flatMap((id) => itemsOfId.get(id)!))].sort((a, b) => a - b);
		const pairedItem = pairedItems(itemIndexes);
		const sent = { users: ids.length, user_ids: ids };
		if (dryRun) {
			output.push({ json: { dry_run: true, ...sent }, pairedItem });
			continue;
		}
		try {
			const body = await client.request({
				method: 'POST',
				scope: 'root',
				path: '/v1/gdpr/delete',
				auth: 'legacyKey',
				body: { users: ids },
				itemIndex: itemIndexes[0],
			});
			output.push({ json: { ...objectOr(body, { ok: true }), ...sent }, pairedItem });
			accepted++;
			erased += ids.length;
		} catch (caught) {
			// An erasure cannot be undone: the error says which users earlier requests erased.
			const noted = notePartial(
				ensureNodeError(this.getNode(), caught, itemIndexes[0]),
				accepted,
				requests.length,
				'erasure requests',
				accepted === index
					? `the first ${erased.toLocaleString('en-US')} user IDs, in input order`
					: `${erased.toLocaleString('en-US')} user IDs`,
			);
			const error = errorItemOrThrow.call(this, noted, itemIndexes[0], pairedItem);
			output.push({ ...error, json: { ...error.json, ...sent } });
		}
	}
	return output;
}

/**
 * The IDs of one item, split as the user chose. Without splitting, text holding a comma or a line
 * break is refused: an erasure cannot be undone, so whether it is one ID or several is not guessed.
 */
function readUserIds(this: IExecuteFunctions, itemIndex: number, separator: IdSeparator) {
	const ids = readIdList.call(this, 'userIds', 'User IDs', itemIndex, separator);
	const raw = this.getNodeParameter('userIds', itemIndex, '') as unknown;
	const ambiguous =
		separator === 'none' && typeof raw === 'string'
			? ids.find((id) => /[,\n\r]/.test(id))
			: undefined;
	if (ambiguous !== undefined) {
		throw itemError(
			this.getNode(),
			`User IDs ${JSON.stringify(ambiguous)} holds a ` +
				`${ambiguous.includes(',') ? 'comma' : 'line break'}, so it may be several IDs`,
			{
				description:
					'Erasure cannot be undone, so the node does not guess. To erase several users, ' +
					'set Split User IDs On to Commas and New Lines (or New Lines). To erase one ' +
					'user whose ID holds a comma, give the ID as a list: {{ [$json.user_id] }}.',
				itemIndex,
			},
		);
	}
	return ids;
}

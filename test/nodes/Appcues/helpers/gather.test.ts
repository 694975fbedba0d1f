import type { IExecuteFunctions } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { prepareItems, prepareItemsInTurns } from '../../../../nodes/Appcues/helpers/gather';

function context(continueOnFail = false) {
	return {
		continueOnFail: () => continueOnFail,
		getNode: () => ({ name: 'Appcues', type: 'n8n-nodes-appcues.appcues' }),
	} as unknown as IExecuteFunctions;
}

/** A prepare that takes `ms` of CPU per item, as expressions in an isolate do. */
const slowPrepare = (ms: number) => (itemIndex: number) => {
	const until = Date.now() + ms;
	while (Date.now() < until);
	return { itemIndex };
};

describe('prepareItemsInTurns', () => {
	it('checks every item as prepareItems does, and lets other work run in between', async () => {
		let otherWorkRanAt: number | undefined;
		let finishedAt: number | undefined;
		setTimeout(() => (otherWorkRanAt = Date.now()), 1);
		const prepared = await prepareItemsInTurns(context(), 60, slowPrepare(2)).then((result) => {
			finishedAt = Date.now();
			return result;
		});
		expect([...prepared.plans.keys()]).toEqual(Array.from({ length: 60 }, (_, i) => i));
		// The timer ran while the items were being read, not after.
		expect(otherWorkRanAt).toBeDefined();
		expect(otherWorkRanAt!).toBeLessThan(finishedAt!);
	});

	it('a bad item stops it with the same error as prepareItems, after every item was read', async () => {
		const read: number[] = [];
		const prepare = (itemIndex: number) => {
			read.push(itemIndex);
			if (itemIndex % 3 === 1) throw new Error(`item ${itemIndex} is bad`);
			return itemIndex;
		};
		const sync = (() => {
			try {
				prepareItems(context(), 7, prepare);
				return undefined;
			} catch (error) {
				return error as Error & { description?: string };
			}
		})();
		read.length = 0;
		const turns = await prepareItemsInTurns(context(), 7, prepare).catch(
			(error: Error & { description?: string }) => error,
		);
		expect(read).toEqual([0, 1, 2, 3, 4, 5, 6]);
		expect(turns).toBeInstanceOf(Error);
		expect((turns as Error).message).toBe(sync!.message);
		expect((turns as { description?: string }).description).toBe(sync!.description);
		expect((turns as { description?: string }).description).toContain(
			'2 of 7 items have invalid parameters, so nothing was sent',
		);
	});

	it('with Continue On Fail, bad items become error items and good ones plans', async () => {
		const prepared = await prepareItemsInTurns(context(true), 4, (itemIndex) => {
			if (itemIndex === 2) throw new Error('bad');
			return itemIndex;
		});
		expect([...prepared.plans.keys()]).toEqual([0, 1, 3]);
		expect([...prepared.errorItems.keys()]).toEqual([2]);
	});
});

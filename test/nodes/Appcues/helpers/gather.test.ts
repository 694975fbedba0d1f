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

	describe('two long passes of one process', () => {
		/** A slowPrepare that logs which pass checked which item, and when. */
		const logged =
			(log: Array<{ pass: string; itemIndex: number; at: number }>, pass: string, ms: number) =>
			(itemIndex: number) => {
				log.push({ pass, itemIndex, at: Date.now() });
				return slowPrepare(ms)(itemIndex);
			};

		it('the older one is read first, so its requests can start while the younger is read', async () => {
			const log: Array<{ pass: string; itemIndex: number; at: number }> = [];
			const [a, b] = await Promise.all([
				prepareItemsInTurns(context(), 60, logged(log, 'a', 2)),
				prepareItemsInTurns(context(), 60, logged(log, 'b', 2)),
			]);
			expect(a.plans.size).toBe(60);
			expect(b.plans.size).toBe(60);
			expect(log.map((entry) => entry.pass)).toEqual([
				...Array<string>(60).fill('a'),
				...Array<string>(60).fill('b'),
			]);
		});

		it('a short pass does not wait for a long one', async () => {
			const log: Array<{ pass: string; itemIndex: number; at: number }> = [];
			await Promise.all([
				prepareItemsInTurns(context(), 60, logged(log, 'long', 2)),
				prepareItemsInTurns(context(), 3, logged(log, 'short', 0)),
			]);
			const firstShort = log.findIndex((entry) => entry.pass === 'short');
			expect(log.slice(firstShort).some((entry) => entry.pass === 'long')).toBe(true);
		});

		it('the younger waits one second at most, then takes turns with the older', async () => {
			const log: Array<{ pass: string; itemIndex: number; at: number }> = [];
			const started = Date.now();
			await Promise.all([
				// 800 items of 2 ms: at least 1.6 s.
				prepareItemsInTurns(context(), 800, logged(log, 'older', 2)),
				prepareItemsInTurns(context(), 30, logged(log, 'younger', 0)),
			]);
			const firstYounger = log.find((entry) => entry.pass === 'younger')!;
			expect(firstYounger.at - started).toBeGreaterThanOrEqual(1_000);
			// The older was still being read then.
			expect(log.at(-1)!.pass).toBe('older');
		});

		it('a pass that fails lets the next one go', async () => {
			const log: Array<{ pass: string; itemIndex: number; at: number }> = [];
			const failing = prepareItemsInTurns(context(), 40, (itemIndex) => {
				logged(log, 'bad', 1)(itemIndex);
				throw new Error('bad');
			}).catch((error: Error) => error);
			const next = prepareItemsInTurns(context(), 40, logged(log, 'next', 0));
			expect(await failing).toBeInstanceOf(Error);
			expect((await next).plans.size).toBe(40);
			const firstNext = log.findIndex((entry) => entry.pass === 'next');
			expect(firstNext).toBe(40);
			expect(log.at(-1)!.at - log[0].at).toBeLessThan(1_000);
		});
	});
});

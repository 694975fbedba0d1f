import type { IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { ensureNodeError, errorItemOrThrow } from './errors';
import { readIdList } from './input';
import { errorItem } from './results';

/** How many bad items the error lists by name when several items are bad. */
const LISTED_BAD_ITEMS = 5;

export interface PreparedItems<Plan> {
	/** The plans of the good items, in input order. */
	plans: Map<number, Plan>;
	/** With Continue On Fail: the error item of each bad item, in input order. */
	errorItems: Map<number, INodeExecutionData>;
}

/**
 * The one rule for "bad input stops the node before any request is sent": `prepare` reads and
 * checks the parameters of one item without sending anything, and it runs for every item before
 * the caller sends the first request. Without Continue On Fail a bad item stops the node with the
 * first bad item's error; when several are bad its description names them all (the first five by
 * message). With Continue On Fail each bad item becomes an error item and the good ones go on.
 * (The context is an argument, not `this`: `.call` would lose the Plan type.)
 */
export function prepareItems<Plan>(
	context: IExecuteFunctions,
	itemCount: number,
	prepare: (itemIndex: number) => Plan,
): PreparedItems<Plan> {
	const checks = new ItemChecks(context, itemCount, prepare);
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) checks.check(itemIndex);
	return checks.finish();
}

/** prepareItems pauses this long at most before it lets other work of the process run. */
const TURN_MS = 25;

/** A pass of this many items or fewer takes about one turn: it never waits for older ones. */
const SHORT_PASS_ITEMS = 25;

/** A longer pass lets older passes of the process finish first, but waits no longer than this. */
const WAIT_FOR_OLDER_MS = 1_000;

/** The long passes under way in this process, oldest first; each settles when its pass ends. */
const longPasses: Array<Promise<void>> = [];

/**
 * prepareItems for a long input, letting the rest of the process run every few milliseconds:
 * reading an item's parameters evaluates its expressions, which in n8n 2.x run in an isolate and
 * can take a millisecond each, so a large input would otherwise stall every other execution of
 * the process (and its paced requests) for a second or more. Nothing of this execution is sent
 * before every item is checked.
 *
 * Two long passes at once would take turns and both finish late; instead the older one runs
 * first (for up to WAIT_FOR_OLDER_MS), so its requests start while the younger is being read,
 * and neither ends later than it would have.
 */
export async function prepareItemsInTurns<Plan>(
	context: IExecuteFunctions,
	itemCount: number,
	prepare: (itemIndex: number) => Plan,
): Promise<PreparedItems<Plan>> {
	if (itemCount <= SHORT_PASS_ITEMS) return prepareItems(context, itemCount, prepare);
	const older = [...longPasses];
	let passEnded!: () => void;
	const pass = new Promise<void>((resolve) => (passEnded = resolve));
	longPasses.push(pass);
	try {
		if (older.length > 0) await Promise.race([Promise.all(older), sleep(WAIT_FOR_OLDER_MS)]);
		const checks = new ItemChecks(context, itemCount, prepare);
		let turnStarted = Date.now();
		for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
			checks.check(itemIndex);
			if (Date.now() - turnStarted >= TURN_MS) {
				await sleep(0);
				turnStarted = Date.now();
			}
		}
		return checks.finish();
	} finally {
		longPasses.splice(longPasses.indexOf(pass), 1);
		passEnded();
	}
}

class ItemChecks<Plan> {
	private readonly plans = new Map<number, Plan>();
	private readonly errorItems = new Map<number, INodeExecutionData>();
	private readonly continueOnFail: boolean;
	private first: ReturnType<typeof ensureNodeError> | undefined;
	private readonly listed: string[] = [];
	private badCount = 0;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly itemCount: number,
		private readonly prepare: (itemIndex: number) => Plan,
	) {
		this.continueOnFail = context.continueOnFail();
	}

	check(itemIndex: number): void {
		try {
			this.plans.set(itemIndex, this.prepare(itemIndex));
		} catch (caught) {
			const error = ensureNodeError(this.context.getNode(), caught, itemIndex);
			if (this.continueOnFail) {
				this.errorItems.set(itemIndex, errorItem(error, { item: itemIndex }));
				return;
			}
			this.first ??= error;
			this.badCount++;
			if (this.listed.length < LISTED_BAD_ITEMS) this.listed.push(error.message);
		}
	}

	finish(): PreparedItems<Plan> {
		const { first, badCount, listed } = this;
		if (first) {
			if (badCount > 1) {
				const more = badCount > listed.length ? `; and ${badCount - listed.length} more` : '';
				const summary =
					`${badCount} of ${this.itemCount} items have invalid parameters, so nothing was sent: ` +
					`${listed.join('; ')}${more}.`;
				first.description = first.description ? `${first.description}\n\n${summary}` : summary;
			}
			throw first;
		}
		return { plans: this.plans, errorItems: this.errorItems };
	}
}

export interface GatheredIds {
	key: string;
	ids: string[];
	items: number[];
	/** Per entry of `items`: how many of `ids` must be sent for all of that item's IDs to be. */
	needs: number[];
}

/**
 * Collects the user IDs of every input item into groups (one group per key, e.g. per segment),
 * de-duplicated in first-seen order. Every item is read before anything is sent (see
 * prepareItems): an item without IDs becomes an error item with Continue On Fail, otherwise it
 * stops the node.
 */
export function gatherIds(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	keyOf: (itemIndex: number) => string,
	output: INodeExecutionData[],
	parameterName = 'userIds',
	label = 'User IDs',
): GatheredIds[] {
	const { plans, errorItems } = prepareItems(this, items.length, (itemIndex) => ({
		key: keyOf(itemIndex),
		ids: readIdList.call(this, parameterName, label, itemIndex),
	}));
	output.push(...errorItems.values());
	const groups = new Map<
		string,
		{ key: string; ids: Map<string, number>; items: number[]; needs: number[] }
	>();
	for (const [itemIndex, { key, ids }] of plans) {
		const group = groups.get(key) ?? { key, ids: new Map<string, number>(), items: [], needs: [] };
		let needs = 0;
		for (const id of ids) {
			let position = group.ids.get(id);
			if (position === undefined) group.ids.set(id, (position = group.ids.size));
			needs = Math.max(needs, position + 1);
		}
		group.items.push(itemIndex);
		group.needs.push(needs);
		groups.set(key, group);
	}
	return [...groups.values()].map((group) => ({
		key: group.key,
		ids: [...group.ids.keys()],
		items: group.items,
		needs: group.needs,
	}));
}

export function pairedItems(items: number[]): IPairedItemData | IPairedItemData[] {
	return items.length === 1 ? { item: items[0] } : items.map((item) => ({ item }));
}

export function chunk<T>(list: T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < list.length; start += size)
		chunks.push(list.slice(start, start + size));
	return chunks;
}

/**
 * Runs `send` for each input item in order, after `prepare` has read and checked the parameters
 * of every item, so bad input anywhere stops the node before the first request. With Continue
 * On Fail a failure becomes that item's error item while the others go on. (The context is an
 * argument, as for prepareItems.)
 */
export async function eachItem<Plan>(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	prepare: (itemIndex: number) => Plan,
	send: (plan: Plan, itemIndex: number) => Promise<INodeExecutionData['json']>,
): Promise<INodeExecutionData[]> {
	const { plans, errorItems } = prepareItems(context, items.length, prepare);
	const output = new Map(errorItems);
	for (const [itemIndex, plan] of plans) {
		try {
			output.set(itemIndex, { json: await send(plan, itemIndex), pairedItem: { item: itemIndex } });
		} catch (caught) {
			output.set(itemIndex, errorItemOrThrow.call(context, caught, itemIndex));
		}
	}
	return [...output.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

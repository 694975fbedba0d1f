import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/displayOptions';
import {
	readOutputChoice,
	shapeOutput,
	toolOutputFields,
	type OutputShape,
} from '../../helpers/toolOutput';
import type { AppcuesClient } from '../../transport/client';
import {
	bounds,
	countOf,
	daysField,
	lastDays,
	listOf,
	pctChange,
	type Period,
	previousPeriod,
	queryRows,
	ratePct,
	readDays,
	round1,
} from './periods';

/**
 * Published flows' performance over the last N days against the N days before, computed exactly
 * as Appcues' CLI does it (`flows +digest`, crates/appcues/src/commands/flows.rs): one GET of the
 * flows and one analytics query per period.
 */

/** The events the digest counts. There is no flow-level error event: errors are step errors. */
export const FLOW_EVENTS = [
	'appcues:flow_started',
	'appcues:flow_completed',
	'appcues:flow_skipped',
	'appcues:step_error',
];

export function digestSpec(period: Period): IDataObject {
	return {
		metrics: ['events', 'users'],
		dimensions: ['flow_id', 'name'],
		conditions: [['name', 'in', FLOW_EVENTS]],
		...bounds(period),
	};
}

interface Counts {
	shown: number;
	completed: number;
	skipped: number;
	errors: number;
	unique_users: number;
}

const ZERO: Counts = { shown: 0, completed: 0, skipped: 0, errors: 0, unique_users: 0 };

/**
 * Folds (flow_id, event name) rows into counts per flow. Values are assigned, not summed: a
 * repeated row replaces the earlier one, as in the CLI.
 */
export function tally(rows: unknown[]): Map<string, Counts> {
	const byFlow = new Map<string, Counts>();
	for (const row of rows) {
		if (!row || typeof row !== 'object') continue;
		const { flow_id: flowId, name, events, users } = row as Record<string, unknown>;
		if (typeof flowId !== 'string') continue;
		const counts = byFlow.get(flowId) ?? { ...ZERO };
		byFlow.set(flowId, counts);
		const count = countOf(events);
		if (name === 'appcues:flow_started') {
			counts.shown = count;
			counts.unique_users = countOf(users);
		} else if (name === 'appcues:flow_completed') counts.completed = count;
		else if (name === 'appcues:flow_skipped') counts.skipped = count;
		else if (name === 'appcues:step_error') counts.errors = count;
	}
	return byFlow;
}

export function digestRow(flow: IDataObject, current: Counts, previous: Counts): IDataObject {
	const rate = ratePct(current.completed, current.shown);
	const previousRate = ratePct(previous.completed, previous.shown);
	return {
		flow_id: flow.id ?? null,
		name: flow.name ?? null,
		...current,
		completion_rate: rate,
		previous: { ...previous, completion_rate: previousRate },
		deltas: {
			shown_pct: pctChange(current.shown, previous.shown),
			completion_rate_pts:
				rate !== null && previousRate !== null ? round1(rate - previousRate) : null,
			unique_users_pct: pctChange(current.unique_users, previous.unique_users),
		},
	};
}

/**
 * Completion rate, highest first, flows without a rate last; ties keep the order of the flows list.
 */
export function byCompletionRate(a: IDataObject, b: IDataObject): number {
	const rate = (row: IDataObject) =>
		typeof row.completion_rate === 'number' ? row.completion_rate : null;
	const [x, y] = [rate(a), rate(b)];
	if (x === null) return y === null ? 0 : 1;
	if (y === null) return -1;
	return y - x;
}

export const DIGEST_FIELDS = [
	'flow_id',
	'name',
	'shown',
	'completed',
	'skipped',
	'errors',
	'unique_users',
	'completion_rate',
	'previous',
	'deltas',
	'period',
	'previous_period',
];

const OUTPUT: OutputShape = {
	always: ['flow_id'],
	simplified: DIGEST_FIELDS.filter((field) => field !== 'previous' && field !== 'previous_period'),
};

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['analytics'], operation: ['flowPerformanceDigest'] } },
	[
		daysField,
		...toolOutputFields({
			simplified:
				'The flow, its counts, completion rate and changes, ' +
				'and the period: not the previous period itself',
			fields: DIGEST_FIELDS,
		}),
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { days: readDays.call(this, itemIndex), output: readOutputChoice.call(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ days, output }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const period = lastDays(days, Date.now());
	const previous = previousPeriod(period);
	const flows = listOf(await client.request({ method: 'GET', path: '/flows', itemIndex }));
	const current = tally(
		await queryRows.call(this, client, digestSpec(period), itemIndex, 'current period'),
	);
	const before = tally(
		await queryRows.call(this, client, digestSpec(previous), itemIndex, 'previous period'),
	);
	const periods = { period: bounds(period), previous_period: bounds(previous) };
	const rows = flows
		.filter(
			(flow): flow is IDataObject => Boolean(flow) && (flow as IDataObject).published === true,
		)
		.map((flow) => {
			const id = typeof flow.id === 'string' ? flow.id : '';
			return {
				...digestRow(flow, current.get(id) ?? ZERO, before.get(id) ?? ZERO),
				...periods,
			};
		})
		// Array.prototype.sort is stable, as Rust's sort_by.
		.sort(byCompletionRate);
	if (!rows.length) {
		this.addExecutionHints({
			message: `No published flow in item ${itemIndex}: the digest has no rows.`,
			location: 'outputPane',
		});
	}
	return shapeOutput(rows, output, OUTPUT);
}

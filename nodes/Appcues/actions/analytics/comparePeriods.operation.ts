import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { itemError } from '../../helpers/errors';
import { jsonObject } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import type { AppcuesClient } from '../../transport/client';
import {
	bounds,
	compareUtf8,
	daysField,
	lastDays,
	numberOf,
	pctChange,
	type Period,
	previousPeriod,
	queryRows,
	readDays,
} from './periods';

/**
 * Any aggregate analytics query over the last N days and over the N days before, joined per
 * dimension value with a change per metric, exactly as Appcues' CLI does it (`analytics +compare`,
 * crates/appcues/src/commands/analytics.rs).
 */

export const EXAMPLE_COMPARE_QUERY = JSON.stringify(
	{
		metrics: ['events', 'users'],
		dimensions: ['name'],
		conditions: [['name', 'in', ['appcues:flow_completed', 'appcues:step_error']]],
	},
	null,
	2,
);

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['analytics'], operation: ['comparePeriods'] } },
	[
		{
			displayName: 'Query (JSON)',
			name: 'query',
			type: 'json',
			required: true,
			default: EXAMPLE_COMPARE_QUERY,
			description:
				'An aggregate Appcues analytics query: metrics, dimensions, conditions, timezone, ' +
				'order_by, limit. Its start_time and end_time are replaced by the two periods.',
		},
		daysField,
	],
);

/** The query's metric names (its string entries), which must not be empty. */
function readCompareSpec(this: IExecuteFunctions, itemIndex: number) {
	const spec = jsonObject.call(
		this,
		this.getNodeParameter('query', itemIndex, '{}'),
		'Query (JSON)',
		itemIndex,
	);
	const metrics = Array.isArray(spec.metrics)
		? spec.metrics.filter((metric): metric is string => typeof metric === 'string')
		: [];
	if (!metrics.length) {
		throw itemError(
			this.getNode(),
			'Query (JSON) needs a non-empty "metrics" array to ' +
				'compare (a raw "columns" query has nothing to compare)',
			{
				description:
					'Compare Periods takes an aggregate query: metrics such as ' +
					'["events", "users"], and dimensions to group by. Nothing was sent.',
				itemIndex,
			},
		);
	}
	if ('account_id' in spec) {
		throw itemError(this.getNode(), `Query (JSON) must not contain "account_id"`, {
			description: 'The account comes from the credential; remove account_id from the query.',
			itemIndex,
		});
	}
	return { spec, metrics };
}

export function windowed(spec: IDataObject, period: Period): IDataObject {
	return { ...spec, ...bounds(period) };
}

/**
 * JSON with the keys of every object sorted by their UTF-8 bytes: serde_json's text of a map, the
 * join key and tie order of the CLI.
 */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const record = value as Record<string, unknown>;
		return `{${Object.keys(record)
			.sort(compareUtf8)
			.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** Own keys only: a row's "constructor" or "__proto__" is data here, never the object's own. */
const has = (object: IDataObject, key: string) => Object.prototype.hasOwnProperty.call(object, key);
const own = (object: IDataObject, key: string) => (has(object, key) ? object[key] : undefined);
function put(object: IDataObject, key: string, value: unknown) {
	Object.defineProperty(object, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true,
	});
}

/**
 * Every key of a row that is not a metric is a dimension value; the dimension values join the two
 * periods. A row missing from one period counts as zero there. Rows come out sorted by the first
 * metric's current value, highest first; ties in the order of their dimension values.
 */
export function joinRows(
	current: unknown[],
	previous: unknown[],
	metrics: string[],
): IDataObject[] {
	const joined = new Map<string, { dims: IDataObject; now: IDataObject; before: IDataObject }>();
	const add = (rows: unknown[], into: 'now' | 'before') => {
		for (const row of rows) {
			const dims: IDataObject = {};
			const values: IDataObject = {};
			if (row && typeof row === 'object' && !Array.isArray(row)) {
				for (const [key, value] of Object.entries(row as IDataObject))
					put(metrics.includes(key) ? values : dims, key, value);
			}
			const key = canonicalJson(dims);
			const entry = joined.get(key) ?? { dims, now: {}, before: {} };
			entry[into] = values;
			joined.set(key, entry);
		}
	};
	add(current, 'now');
	add(previous, 'before');
	const rows = [...joined.entries()]
		.sort(([a], [b]) => compareUtf8(a, b))
		.map(([, { dims, now, before }]) => {
			const row: IDataObject = {};
			for (const key of Object.keys(dims).sort(compareUtf8)) put(row, key, dims[key]);
			const currentValues: IDataObject = {};
			const previousValues: IDataObject = {};
			const deltas: IDataObject = {};
			for (const metric of metrics) {
				put(
					deltas,
					`${metric}_pct`,
					pctChange(numberOf(own(now, metric)), numberOf(own(before, metric))),
				);
				put(currentValues, metric, has(now, metric) ? now[metric] : 0);
				put(previousValues, metric, has(before, metric) ? before[metric] : 0);
			}
			put(row, 'current', currentValues);
			put(row, 'previous', previousValues);
			put(row, 'deltas', deltas);
			return row;
		});
	const first = metrics[0];
	// Stable, as Rust's sort_by.
	const key = (row: IDataObject) => numberOf(own(row.current as IDataObject, first));
	return rows.sort((a, b) => key(b) - key(a));
}

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return { ...readCompareSpec.call(this, itemIndex), days: readDays.call(this, itemIndex) };
}

export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ spec, metrics, days }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const period = lastDays(days, Date.now());
	const previous = previousPeriod(period);
	const current = await queryRows.call(
		this,
		client,
		windowed(spec, period),
		itemIndex,
		'current period',
	);
	const before = await queryRows.call(
		this,
		client,
		windowed(spec, previous),
		itemIndex,
		'previous period',
	);
	const periods = { period: bounds(period), previous_period: bounds(previous) };
	return joinRows(current, before, metrics).map((row) => ({ ...row, ...periods }));
}

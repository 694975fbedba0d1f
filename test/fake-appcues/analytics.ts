/**
 * The analytics query engine of the fake Appcues server (after Appcues' own
 * `skills/analytics-query/references/spec.md` and the CLI's tests: see SOURCES.md).
 *
 * A spec is checked field by field and a 400 (title "invalid spec", as in the CLI's mock) names
 * the first bad field. Rows come from the account's events (the seeded ones and those sent since),
 * or, when the fake's `analyticsRows` setting is a number, from a deterministic synthetic series
 * of that many rows (for truncation and volume tests).
 *
 * Choices where the sources say nothing:
 * - Metrics `users`, `events`, `sessions`, `groups` are computed; other accepted metrics are 0.
 *   `sessions` counts distinct (user, day) pairs.
 * - Time buckets are UTC dates (`day`: YYYY-MM-DD, `week`: the Monday, `month`: YYYY-MM-01);
 *   `timezone` is validated (IANA) but not applied; empty buckets are not zero-filled.
 * - Rows are sorted by `order_by`, else by the dimensions (or timestamp) ascending.
 * - `account_id` in a spec is ignored, as the spec document says.
 */
import { HttpProblem } from './problem';

export const SYNC_ROW_CAP = 1000;
const MAX_SYNC_WINDOW_DAYS = 90;
const DAY = 24 * 60 * 60 * 1000;

export const ANALYTICS_METRICS = [
	'users',
	'events',
	'sessions',
	'groups',
	'nps_computed_score',
	'nps_promoters',
	'nps_detractors',
	'nps_neutrals',
	'nps_survey_started',
	'nps_scores_submitted',
	'nps_feedbacks_submitted',
	'nps_respondents',
	'conversion',
];
const METRIC_PREFIXES = ['avg_', 'median_', 'p90_', 'p99_'];

export const ANALYTICS_DIMENSIONS = [
	...['day', 'week', 'month', 'timestamp'],
	...['name', 'event', 'event_type', 'source', 'platform', 'app_id', 'attributes', 'context'],
	...['user_id', 'group_id', 'session_id', 'email', 'identity'],
	...[
		'flow_id',
		'flow_version',
		'flow_type',
		'step_id',
		'step_type',
		'step_child_id',
		'interaction_type',
		'interaction_data',
	],
	...['step_error_message', 'step_error_url', 'step_child_error_message', 'step_child_error_url'],
	...['experience_id', 'experience_type', 'survey_id', 'response_value', 'search_query'],
	...['checklist_id', 'checklist_item_id', 'item_id'],
	...['goal_id', 'goal_version', 'experiment_id', 'experiment_group'],
	...['score', 'feedback', 'window'],
	...[
		'url',
		'hostname',
		'path',
		'hash',
		'query',
		'screen_id',
		'context_url',
		'current_page_url',
		'last_page_url',
	],
	...[
		'user_agent_browser',
		'user_agent_os',
		'user_agent_device',
		'user_agent_cpu',
		'user_agent_engine',
		'locale_id',
		'locale_name',
	],
	...['segment_id', 'user_segment_id', 'campaign_id', 'tactic_id', 'user_group_id'],
	...['attribute_name', 'attribute_value', 'last_seen', 'last_updated'],
];

export const CONDITION_OPERATORS = [
	'==',
	'!=',
	'in',
	'not in',
	'like',
	'ilike',
	'not like',
	'not ilike',
];

export type Condition = [string, string, unknown];

export interface AnalyticsSpec {
	metrics?: string[];
	dimensions?: string[];
	columns?: string[];
	conditions?: Condition[];
	order_by?: Array<[string, 'asc' | 'desc']>;
	start_time: string;
	end_time: string;
	timezone?: string;
	limit?: number;
	offset?: number;
	rank_n?: { n: number; direction: 'top' | 'bottom'; dimension: string };
	/**
	 * Exports only, the fake's own field: "csv" makes the download a CSV file. Without it the file
	 * is JSON, the rows array Appcues documents.
	 */
	format?: 'csv' | 'json';
}

export interface AnalyticsEvent {
	timestamp: number;
	user_id: string;
	name: string;
	group_id?: string;
	attributes?: Record<string, unknown>;
}

function invalid(detail: string) {
	return new HttpProblem(400, 'invalid spec', detail);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM-DD` (midnight UTC) or RFC 3339, as epoch ms; undefined when neither. */
export function parseSpecTime(value: unknown): number | undefined {
	if (typeof value !== 'string' || !(DATE_ONLY.test(value) || RFC_3339.test(value)))
		return undefined;
	const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
	return Number.isNaN(ms) ? undefined : ms;
}

export function isIanaZone(value: string) {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: value });
		return true;
	} catch {
		return false;
	}
}

function stringList(
	value: unknown,
	field: string,
	allowed: (name: string) => boolean,
	what: string,
): string[] {
	if (!Array.isArray(value) || !value.length || value.some((item) => typeof item !== 'string')) {
		throw invalid(`${field} must be a non-empty array of strings`);
	}
	for (const name of value as string[])
		if (!allowed(name)) throw invalid(`${field}: unknown ${what} ${JSON.stringify(name)}`);
	return value as string[];
}

const isDimension = (name: string) => ANALYTICS_DIMENSIONS.includes(name);
const isMetric = (name: string) =>
	ANALYTICS_METRICS.includes(name) ||
	METRIC_PREFIXES.some((prefix) => name.startsWith(prefix) && name.length > prefix.length);

/** Checks `[field, op, value]` triples (shared with the events export). */
export function validateConditions(
	value: unknown,
	field = 'conditions',
	knownField?: (name: string) => boolean,
	title = 'Bad Request',
): Condition[] {
	const fail = (detail: string) => new HttpProblem(400, title, detail);
	if (!Array.isArray(value))
		throw fail(`${field} must be an array of [field, operator, value] triples`);
	value.forEach((condition, index) => {
		const where = `${field}[${index}]`;
		if (!Array.isArray(condition) || condition.length !== 3)
			throw fail(`${where} must be a [field, operator, value] triple`);
		const [name, op, operand] = condition as unknown[];
		if (typeof name !== 'string' || !name)
			throw fail(`${where}: the field must be a non-empty string`);
		if (knownField && !knownField(name))
			throw fail(`${where}: unknown field ${JSON.stringify(name)}`);
		if (typeof op !== 'string' || !CONDITION_OPERATORS.includes(op)) {
			throw fail(
				`${where}: unknown operator ${JSON.stringify(op)} (use one of ${CONDITION_OPERATORS.join(', ')})`,
			);
		}
		if ((op === 'in' || op === 'not in') && !Array.isArray(operand))
			throw fail(`${where}: ${op} needs a list value`);
		if (op.includes('like') && typeof operand !== 'string')
			throw fail(`${where}: ${op} needs a string pattern`);
		if ((op === '==' || op === '!=') && (operand === null || typeof operand === 'object')) {
			throw fail(`${where}: ${op} needs a string, number or boolean value`);
		}
	});
	return value as Condition[];
}

const SPEC_FIELDS = [
	'metrics',
	'dimensions',
	'columns',
	'conditions',
	'order_by',
	'start_time',
	'end_time',
	'timezone',
	'limit',
	'offset',
	'rank_n',
	'account_id',
];

export function validateSpec(body: unknown, { sync }: { sync: boolean }): AnalyticsSpec {
	if (!body || typeof body !== 'object' || Array.isArray(body))
		throw invalid('the spec must be a JSON object');
	const spec = body as Record<string, unknown>;
	for (const key of Object.keys(spec)) {
		if (!SPEC_FIELDS.includes(key) && !(key === 'format' && !sync))
			throw invalid(`unknown field ${key}`);
	}
	for (const field of ['start_time', 'end_time']) {
		if (spec[field] === undefined) throw invalid(`${field} is required`);
		if (parseSpecTime(spec[field]) === undefined)
			throw invalid(`${field} must be YYYY-MM-DD or RFC 3339`);
	}
	const start = parseSpecTime(spec.start_time)!;
	const end = parseSpecTime(spec.end_time)!;
	if (end <= start) throw invalid('end_time must be after start_time');
	if (sync && end - start > MAX_SYNC_WINDOW_DAYS * DAY)
		throw invalid(`time range exceeds ${MAX_SYNC_WINDOW_DAYS} days`);

	if (spec.columns !== undefined && (spec.metrics !== undefined || spec.dimensions !== undefined)) {
		throw invalid('columns (raw rows) cannot be combined with metrics or dimensions');
	}
	if (spec.columns === undefined && spec.metrics === undefined) {
		throw invalid('metrics is required (or columns for raw event rows)');
	}
	if (spec.columns !== undefined) stringList(spec.columns, 'columns', isDimension, 'column');
	if (spec.metrics !== undefined) stringList(spec.metrics, 'metrics', isMetric, 'metric');
	if (spec.dimensions !== undefined)
		stringList(spec.dimensions, 'dimensions', isDimension, 'dimension');
	if (spec.conditions !== undefined)
		validateConditions(spec.conditions, 'conditions', isDimension, 'invalid spec');
	const selected = [
		...((spec.columns ?? []) as string[]),
		...((spec.metrics ?? []) as string[]),
		...((spec.dimensions ?? []) as string[]),
	];
	if (spec.order_by !== undefined) {
		if (!Array.isArray(spec.order_by))
			throw invalid('order_by must be an array of [field, "asc"|"desc"] pairs');
		spec.order_by.forEach((pair, index) => {
			if (!Array.isArray(pair) || pair.length !== 2 || !['asc', 'desc'].includes(pair[1])) {
				throw invalid(`order_by[${index}] must be a [field, "asc"|"desc"] pair`);
			}
			if (!selected.includes(pair[0]))
				throw invalid(`order_by[${index}]: ${JSON.stringify(pair[0])} is not a selected field`);
		});
	}
	for (const field of ['limit', 'offset']) {
		const value = spec[field];
		if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
			throw invalid(`${field} must be a non-negative integer`);
		}
	}
	if (
		spec.timezone !== undefined &&
		(typeof spec.timezone !== 'string' || !isIanaZone(spec.timezone))
	) {
		throw invalid('timezone must be an IANA time zone name such as "UTC" or "America/New_York"');
	}
	if (spec.rank_n !== undefined) {
		const rank = spec.rank_n as Record<string, unknown>;
		if (!rank || typeof rank !== 'object' || !Number.isInteger(rank.n) || (rank.n as number) < 1) {
			throw invalid('rank_n.n must be a positive integer');
		}
		if (!['top', 'bottom'].includes(rank.direction as string))
			throw invalid('rank_n.direction must be "top" or "bottom"');
		if (
			rank.dimension !== 'name' &&
			!(spec.dimensions as string[] | undefined)?.includes(rank.dimension as string)
		) {
			throw invalid('rank_n.dimension must be one of the spec dimensions');
		}
	}
	if (spec.format !== undefined && !['csv', 'json'].includes(spec.format as string))
		throw invalid('format must be "csv" or "json"');
	const { account_id: _ignored, ...rest } = spec;
	return rest as unknown as AnalyticsSpec;
}

function fieldOf(event: AnalyticsEvent, field: string): unknown {
	if (field === 'name' || field === 'event') return event.name;
	if (field === 'user_id') return event.user_id;
	if (field === 'group_id') return event.group_id;
	if (field === 'timestamp') return new Date(event.timestamp).toISOString();
	if (field === 'day') return new Date(event.timestamp).toISOString().slice(0, 10);
	if (field === 'month') return `${new Date(event.timestamp).toISOString().slice(0, 7)}-01`;
	if (field === 'week') {
		const date = new Date(event.timestamp);
		const monday =
			Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) -
			((date.getUTCDay() + 6) % 7) * DAY;
		return new Date(monday).toISOString().slice(0, 10);
	}
	if (field === 'attributes') return event.attributes ?? {};
	return event.attributes?.[field];
}

function likeToRegExp(pattern: string, flags: string) {
	const source = pattern
		.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
		.replace(/%/g, '.*')
		.replace(/_/g, '.');
	return new RegExp(`^${source}$`, flags);
}

export function matchesConditions(event: AnalyticsEvent, conditions: Condition[] = []) {
	return conditions.every(([field, op, operand]) => {
		const value = fieldOf(event, field);
		switch (op) {
			case '==':
				return value === operand || (value !== undefined && String(value) === String(operand));
			case '!=':
				return !(value === operand || (value !== undefined && String(value) === String(operand)));
			case 'in':
				return (operand as unknown[]).map(String).includes(String(value));
			case 'not in':
				return !(operand as unknown[]).map(String).includes(String(value));
			default: {
				const regexp = likeToRegExp(String(operand), op.includes('ilike') ? 'i' : '');
				const hit = value !== undefined && regexp.test(String(value));
				return op.startsWith('not') ? !hit : hit;
			}
		}
	});
}

function compare(a: unknown, b: unknown) {
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	return String(a ?? '').localeCompare(String(b ?? ''));
}

function synthetic(spec: AnalyticsSpec, count: number): Array<Record<string, unknown>> {
	const start = parseSpecTime(spec.start_time)!;
	const rows: Array<Record<string, unknown>> = [];
	for (let index = 0; index < count; index++) {
		const event: AnalyticsEvent = {
			timestamp: start + index * 1000,
			user_id: `user-${index % 97}`,
			name: `event_${index % 5}`,
			group_id: `group-${index % 7}`,
		};
		const row: Record<string, unknown> = {};
		for (const column of spec.columns ?? spec.dimensions ?? []) {
			row[column] = ['day', 'week', 'month'].includes(column)
				? new Date(start + index * DAY).toISOString().slice(0, 10)
				: column === 'timestamp' ||
					  column === 'name' ||
					  column === 'event' ||
					  column === 'user_id' ||
					  column === 'group_id'
					? fieldOf(event, column)
					: `${column}-${index}`;
		}
		for (const metric of spec.metrics ?? [])
			row[metric] = (index * 7919 + metric.length * 31) % 1000;
		rows.push(row);
	}
	return rows;
}

/** All rows a spec selects, sorted, before offset/limit and the sync cap. */
export function computeRows(
	spec: AnalyticsSpec,
	events: AnalyticsEvent[],
	syntheticRows?: number,
): Array<Record<string, unknown>> {
	let rows: Array<Record<string, unknown>>;
	if (typeof syntheticRows === 'number') {
		rows = synthetic(spec, syntheticRows);
	} else {
		const start = parseSpecTime(spec.start_time)!;
		const end = parseSpecTime(spec.end_time)!;
		const selected = events
			.filter(
				(event) =>
					event.timestamp >= start &&
					event.timestamp < end &&
					matchesConditions(event, spec.conditions),
			)
			.sort(
				(a, b) =>
					a.timestamp - b.timestamp || compare(a.user_id, b.user_id) || compare(a.name, b.name),
			);
		if (spec.columns) {
			rows = selected.map((event) =>
				Object.fromEntries(spec.columns!.map((column) => [column, fieldOf(event, column) ?? null])),
			);
		} else {
			const dimensions = spec.dimensions ?? [];
			const groups = new Map<string, { key: Record<string, unknown>; events: AnalyticsEvent[] }>();
			for (const event of selected) {
				const key = Object.fromEntries(
					dimensions.map((dimension) => [dimension, fieldOf(event, dimension) ?? null]),
				);
				const id = JSON.stringify(key);
				const group = groups.get(id) ?? { key, events: [] };
				group.events.push(event);
				groups.set(id, group);
			}
			if (!dimensions.length && !groups.size) groups.set('{}', { key: {}, events: [] });
			rows = [...groups.values()].map(({ key, events: members }) => {
				const row: Record<string, unknown> = { ...key };
				for (const metric of spec.metrics ?? []) {
					if (metric === 'events') row[metric] = members.length;
					else if (metric === 'users')
						row[metric] = new Set(members.map((event) => event.user_id)).size;
					else if (metric === 'groups')
						row[metric] = new Set(members.map((event) => event.group_id).filter(Boolean)).size;
					else if (metric === 'sessions') {
						row[metric] = new Set(
							members.map((event) => `${event.user_id}|${fieldOf(event, 'day')}`),
						).size;
					} else row[metric] = 0;
				}
				return row;
			});
			if (spec.rank_n) {
				const { n, direction, dimension } = spec.rank_n;
				const metric = spec.metrics![0];
				const totals = new Map<unknown, number>();
				for (const row of rows)
					totals.set(row[dimension], (totals.get(row[dimension]) ?? 0) + Number(row[metric] ?? 0));
				const ranked = [...totals]
					.sort((a, b) => (direction === 'top' ? b[1] - a[1] : a[1] - b[1]))
					.slice(0, n);
				const keep = new Set(ranked.map(([value]) => value));
				rows = rows.filter((row) => keep.has(row[dimension]));
			}
			rows.sort((a, b) => {
				for (const dimension of dimensions) {
					const order = compare(a[dimension], b[dimension]);
					if (order) return order;
				}
				return 0;
			});
		}
	}
	if (spec.order_by?.length) {
		rows.sort((a, b) => {
			for (const [field, direction] of spec.order_by!) {
				const order = compare(a[field], b[field]);
				if (order) return direction === 'desc' ? -order : order;
			}
			return 0;
		});
	}
	return rows;
}

/** Applies offset and limit, then the sync cap: `truncated` when the cap cut rows off. */
export function pageRows(
	rows: Array<Record<string, unknown>>,
	spec: AnalyticsSpec,
	cap = Infinity,
) {
	const offset = spec.offset ?? 0;
	const wanted = rows.slice(offset, spec.limit === undefined ? undefined : offset + spec.limit);
	return { rows: wanted.slice(0, cap), truncated: wanted.length > cap };
}

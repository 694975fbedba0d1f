/**
 * `{{ $json.field }}` is read from the item without n8n's sandbox, and only where that gives
 * exactly what n8n's evaluation gives: the same values, requests and errors, compared through
 * n8n-core's real expression evaluation.
 */
import { Expression } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { batchExpressionOf, readItemText } from '../../../../nodes/Appcues/helpers/itemField';
import { useFakeAppcues } from '../../../support/helpers';

const inherited = Object.create({ id: 'from-prototype' }) as IDataObject;

/** Item JSON whose `user.id` is every kind of value an expression can meet. */
const ITEMS: IDataObject[] = [
	{ user: { id: 'u1' } },
	{ user: { id: '  u2  ' } },
	{ user: { id: 7 } },
	{ user: { id: 1.5e300 } },
	{ user: { id: Number.NaN } },
	{ user: { id: true } },
	{ user: { id: null } },
	{ user: { id: '' } },
	{ user: { id: '..' } },
	{ user: { id: ['a'] } },
	{ user: { id: { nested: 'x' } } },
	{ user: {} },
	{ user: 'text' },
	{ user: ['u1'] },
	{},
	{ user: inherited },
	{ user: { id: 'ü/ß?#' } },
];

describe('item fields read without the sandbox', () => {
	const t = useFakeAppcues();

	async function run(userId: string) {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'updateProfile',
				userId,
				propertiesInput: 'json',
				propertiesJson: '{"plan": "pro"}',
			},
			{ items: ITEMS, continueOnFail: true },
		);
		return {
			error: result.error?.message,
			requests: t.fake.apiRequests().map((request) => request.rawPath),
			items: result.items.map((item) => ({
				error: item.json.error,
				user: item.json.user_id,
				pairedItem: item.pairedItem,
			})),
		};
	}

	it('{{ $json.user.id }} gives the same requests and errors as n8n evaluating it', async () => {
		const direct = await run('={{ $json.user.id }}');
		t.fake.reset();
		// The parentheses keep the same expression out of the direct path: n8n evaluates it.
		const evaluated = await run('={{ ($json.user.id) }}');
		expect(direct).toEqual(evaluated);
		// The comparison covers successes and refusals alike.
		expect(direct.requests).toEqual([
			'/v2/accounts/12345/users/u1/profile',
			'/v2/accounts/12345/users/u2/profile',
			'/v2/accounts/12345/users/7/profile',
			'/v2/accounts/12345/users/1.5e%2B300/profile',
			// n8n reads an inherited field; the direct path leaves such objects to it.
			'/v2/accounts/12345/users/from-prototype/profile',
			'/v2/accounts/12345/users/%C3%BC%2F%C3%9F%3F%23/profile',
		]);
		expect(direct.items.filter((item) => item.error)).toHaveLength(ITEMS.length - 6);
	});
});

/**
 * A context that records how its parameters were read; `evaluate` stands for n8n's evaluation
 * of an item (by default a marker, so a direct read shows).
 */
function fakeContext(
	raw: string,
	items: IDataObject[],
	{
		evaluate = (itemIndex: number): unknown => `evaluated ${itemIndex}`,
		type = 'n8n-nodes-appcues.appcues',
		tool = false,
		batch = undefined as ((expression: string, itemIndex: number) => unknown) | undefined,
	} = {},
) {
	const getNodeParameter = vi.fn(
		(_name: string, itemIndex: number, _fallback: unknown, options?: IDataObject) =>
			options?.rawExpressions ? raw : evaluate(itemIndex),
	);
	const context = {
		getNodeParameter,
		getNode: () => ({ type }),
		isToolExecution: () => tool,
		getInputData: () => items.map((json): INodeExecutionData => ({ json })),
		evaluateExpression: batch && vi.fn(batch),
	} as unknown as IExecuteFunctions;
	const calls = () => getNodeParameter.mock.calls.map(([, item, , options]) => [item, options]);
	return { context, getNodeParameter, calls, evaluateExpression: context.evaluateExpression };
}

describe('readItemText', () => {
	const items = [{ a: { b: 'x' } }, { a: { b: 2 } }, { a: { b: false } }, { a: { b: 'y' } }];
	const n8n = (itemIndex: number) => items[itemIndex].a.b;

	it('reads {{ $json.a.b }} from each item once n8n agreed on the first', () => {
		const { context, calls } = fakeContext('={{$json.a.b}}', items, { evaluate: n8n });
		expect([0, 1, 2, 3].map((i) => readItemText(context, 'userId', i))).toEqual([
			'x',
			2,
			false,
			'y',
		]);
		// The raw parameter once, item 0 to compare, item 2 because a boolean is n8n's to judge.
		expect(calls()).toEqual([
			[0, { rawExpressions: true }],
			[0, undefined],
			[2, undefined],
		]);
	});

	it('stops reading directly when n8n gives another value for the first item', () => {
		const { context, calls } = fakeContext('={{ $json.a.b }}', items);
		expect([0, 1, 3].map((i) => readItemText(context, 'userId', i))).toEqual([
			'evaluated 0',
			'evaluated 1',
			'evaluated 3',
		]);
		expect(calls()).toHaveLength(4);
	});

	it.each([
		['as the tool variant of the node', { type: 'n8n-nodes-appcues.appcuesTool' }],
		['in a tool execution', { tool: true }],
	])('leaves every item to n8n %s', (_label, options) => {
		const { context, calls } = fakeContext('={{ $json.a.b }}', items, {
			evaluate: n8n,
			...options,
		});
		expect([0, 1].map((i) => readItemText(context, 'userId', i))).toEqual(['x', 2]);
		expect(calls()).toHaveLength(3);
	});

	it.each([
		'=user-{{ $json.id }}',
		'={{ $json.id }} ',
		'={{ $json["id"] }}',
		'={{ $json.constructor }}',
		'={{ $json.id.__proto__ }}',
		'={{ $json.prototype }}',
		'={{ $json.$id }}',
		'={{ $json?.id }}',
		'={{ $input.item.json.id }}',
		'={{ $json.id }}{{ $json.id }}',
		'id',
	])('leaves %s to n8n', (raw) => {
		const { context, getNodeParameter } = fakeContext(raw, [
			{ id: 'x', constructor: 'x', $id: 'x', prototype: 'x' },
		]);
		expect(readItemText(context, 'userId', 0)).toBe('evaluated 0');
		expect(getNodeParameter).toHaveBeenCalledTimes(2);
	});

	it('keeps the parameters of each run and of each name apart', () => {
		const first = fakeContext('={{ $json.id }}', [{ id: 'a' }, { id: 'b' }], {
			evaluate: () => 'a',
		});
		const second = fakeContext('={{ $json.other }}', [{ other: 'c' }, { other: 'd' }], {
			evaluate: () => 'c',
		});
		expect(readItemText(first.context, 'userId', 0)).toBe('a');
		expect(readItemText(second.context, 'userId', 0)).toBe('c');
		expect(readItemText(first.context, 'userId', 1)).toBe('b');
		expect(readItemText(second.context, 'userId', 1)).toBe('d');
		// A second name is looked at and confirmed on its own.
		expect(readItemText(first.context, 'groupId', 1)).toBe('a');
		expect(first.calls()).toEqual([
			[0, { rawExpressions: true }],
			[0, undefined],
			[0, { rawExpressions: true }],
			[1, undefined],
		]);
	});
});

/** Item JSON for the Properties expressions: every kind of value they can meet. */
const PLAN_ITEMS: IDataObject[] = [
	{ plan: 'pro', seats: 5 },
	{ plan: 'free', seats: 0 },
	{ plan: 'say "hi" {{ }}', seats: 1.5 },
	{ plan: null, seats: false },
	{ seats: true },
	{ plan: { tier: 'x' }, seats: [1, 2] },
	{ plan: ['a', 'b'], seats: 'n/a' },
	{ plan: '', seats: -0 },
	{ plan: 'ünï', seats: 1e21 },
];

/**
 * Runs the node and records, by item, n8n's evaluations of the expressions `counted` picks (this
 * n8n-workflow is the one n8n-core evaluates with), beside what must not differ between ways of
 * reading: requests, outputs and errors.
 */
async function runRecording(
	t: ReturnType<typeof useFakeAppcues>,
	parameters: IDataObject,
	items: IDataObject[],
	counted: (expression: string) => boolean,
) {
	t.fake.reset();
	const evaluate = vi.spyOn(Expression.prototype, 'resolveSimpleParameterValue');
	const result = await t.run(
		{ userId: '={{ "user-" + $itemIndex }}', ...parameters },
		{ items, continueOnFail: true },
	);
	const evaluatedItems = evaluate.mock.calls
		.filter(([value]) => typeof value === 'string' && value.startsWith('=') && counted(value))
		.map((call) => call[4]);
	evaluate.mockRestore();
	return {
		evaluatedItems,
		same: {
			error: result.error?.message,
			requests: t.fake.apiRequests().map((request) => [request.rawPath, request.body]),
			items: result.items.map((item) => [item.json.error, item.pairedItem]),
		},
	};
}

describe('expressions evaluated for all items at once', () => {
	const t = useFakeAppcues();

	afterEach(() => vi.restoreAllMocks());

	async function run(propertiesJson: string) {
		return runWith({ propertiesInput: 'json', propertiesJson });
	}

	async function runWith(properties: IDataObject) {
		return runRecording(
			t,
			{ resource: 'user', operation: 'updateProfile', ...properties },
			PLAN_ITEMS,
			(expression) => expression.includes('plan'),
		);
	}

	const ALL = PLAN_ITEMS.map((_, index) => index);
	// The batch: n8n evaluates item 0, then the batch (at item 0), then the last item.
	const BATCH = [0, 0, 8];

	// Each: a form the batch takes; the same through `$input.item.json`, which only n8n's
	// evaluation of each item can give; the items n8n evaluated the first for.
	it.each([
		[
			'={{ JSON.stringify({ plan: $json.plan, seats: $json.seats }) }}',
			'={{ JSON.stringify({ plan: $input.item.json.plan, seats: $input.item.json.seats }) }}',
			BATCH,
		],
		[
			'={ "plan": "{{ $json.plan }}", "seats": {{ $json.seats }} }',
			'={ "plan": "{{ $input.item.json.plan }}", "seats": {{ $input.item.json.seats }} }',
			BATCH,
		],
		[
			'={"plan": {{ JSON.stringify($json.plan) }}, "run": {"id": "{{ $execution.id }}"}}',
			'={"plan": {{ JSON.stringify($input.item.json.plan) }}, "run": {"id": "{{ $execution.id }}"}}',
			BATCH,
		],
		[
			'={{ $json.seats > 1 ? JSON.stringify({ big: $json.plan }) : "{}" }}',
			'={{ $input.item.json.seats > 1 ? JSON.stringify({ big: $input.item.json.plan }) : "{}" }}',
			BATCH,
		],
		// n8n's own functions on values (toTitleCase) work in the batch as in each item.
		[
			'={{ JSON.stringify({ plan: String($json.plan).toTitleCase(), seats: $json.seats }) }}',
			'={{ JSON.stringify({ plan: String($input.item.json.plan).toTitleCase(), seats: $input.item.json.seats }) }}',
			BATCH,
		],
		// An object is taken from the batch as well, but not one with an undefined field (item 4).
		['={{ { plan: $json.plan } }}', '={{ { plan: $input.item.json.plan } }}', [...BATCH, 4]],
		// `{{ $json.plan }}` is read directly: n8n evaluates item 0 and what is not text.
		['={{ $json.plan }}', '={{ $input.item.json.plan }}', [0, 3, 4, 5, 6]],
	])(
		'%s gives the same requests, outputs and errors as n8n item by item',
		async (fast, slow, evaluated) => {
			const batched = await run(fast);
			const perItem = await run(slow);
			expect(batched.same).toEqual(perItem.same);
			expect(batched.same.requests.length).toBeGreaterThan(0);
			expect(batched.evaluatedItems).toEqual(evaluated);
			expect(perItem.evaluatedItems).toEqual(ALL);
		},
	);

	it('reads each property row on its own: {{ $json.field }} directly, other expressions in one go', async () => {
		const rows = (item: string) => ({
			propertiesInput: 'fields',
			properties: {
				property: [
					{ name: 'plan', value: `={{ ${item}.plan }}` },
					{
						name: `=seats_{{ ${item}.plan ? "known" : "unknown" }}`,
						value: `={{ ${item}.seats }}`,
					},
					{ name: 'fixed', value: 'text as typed' },
				],
			},
		});
		const fast = await runWith(rows('$json'));
		const slow = await runWith(rows('$input.item.json'));
		expect(fast.same).toEqual(slow.same);
		expect(fast.same.requests[0]).toEqual([
			'/v2/accounts/12345/users/user-0/profile',
			{ plan: 'pro', seats_known: 5, fixed: 'text as typed' },
		]);
		// Row 1's value is read directly (n8n: item 0 and the values that are not text or numbers);
		// row 2's name in one go (item 0, the batch, the last item); row 2's value reads `seats`.
		expect(fast.evaluatedItems).toEqual([0, 0, 0, 8, 3, 4, 5, 6]);
		// Item by item, each row is evaluated for each item.
		expect(slow.evaluatedItems).toEqual(ALL.flatMap((index) => [index, index]));
	});

	it('gives a date in a row as text, as n8n does when it evaluates the rows together', async () => {
		// As a name, where only text is taken: an object there would be refused.
		const rows = [
			{ name: 'plan', value: '={{ $json.plan }}' },
			{ name: "={{ DateTime.fromISO('2026-01-02T03:04:05Z', { zone: 'utc' }) }}", value: 'at' },
		];
		const separately = await runWith({ propertiesInput: 'fields', properties: { property: rows } });
		const together = await runWith({
			propertiesInput: 'fields',
			properties: { property: [...rows, { name: 'copy', value: '={{ $parameter.resource }}' }] },
		});
		const bodies = (run: typeof separately) =>
			run.same.requests.map(([, body]) => ({ ...(body as IDataObject), copy: undefined }));
		expect(bodies(separately)).toEqual(bodies(together));
		expect(separately.same.requests[0][1]).toEqual({
			plan: 'pro',
			'2026-01-02T03:04:05.000Z': 'at',
		});
		expect(separately.same.requests).toHaveLength(PLAN_ITEMS.length);
	});

	it('evaluates the rows together when one refers to the others', async () => {
		const evaluated = await runWith({
			propertiesInput: 'fields',
			properties: {
				property: [
					{ name: 'plan', value: '={{ $json.plan }}' },
					{ name: 'copy', value: '={{ $parameter.resource }}' },
				],
			},
		});
		expect(evaluated.same.requests[0]).toEqual([
			'/v2/accounts/12345/users/user-0/profile',
			{ plan: 'pro', copy: 'user' },
		]);
		expect(evaluated.evaluatedItems).toEqual(ALL);
	});
});

describe('batchExpressionOf', () => {
	it('evaluates a whole expression for every item with $json bound to its JSON', () => {
		expect(
			batchExpressionOf('={{ JSON.stringify({ plan: $json.plan, run: $execution.id }) }}'),
		).toBe(
			'{{ $input.all().map(($appcuesItem) => (($json) => (\n JSON.stringify({ plan: $json.plan, run: $execution.id }) \n))($appcuesItem.json)) }}',
		);
	});

	it('joins text and expressions as n8n does, with no brace left in the text', () => {
		expect(batchExpressionOf('={"a": {"b": "{{ $json.b }}"}}')).toBe(
			'{{ $input.all().map(($appcuesItem) => (($json) => [' +
				'"\\u007b\\"a\\": \\u007b\\"b\\": \\"", ' +
				"((v) => (v = (\n $json.b \n), v || v === 0 || v === false ? v : ''))(), " +
				'"\\"\\u007d\\u007d"' +
				"].join(''))($appcuesItem.json)) }}",
		);
	});

	it.each([
		'={{ $json.a + $now.toISO() + $today + $workflow.id + $vars.x }}',
		'={{ {a: 1} }}',
		'=id-{{ $json.id }}',
		'={{ $json.a }}{{ $json.b }}',
		'={{ $json.a // a comment }}',
	])('takes %s', (raw) => {
		expect(batchExpressionOf(raw)).toMatch(/^\{\{ \$input\.all\(\)\.map/);
	});

	it.each([
		['', 'no expression'],
		['=plain text', 'no expression'],
		['{{ $json.a }}', 'not an expression (no =)'],
		['={{ $json.a ', 'an unclosed expression'],
		['={{ }}', 'an empty expression'],
		['={{ $itemIndex }}', 'the item index'],
		['={{ $input.item.json.a }}', '$input'],
		["={{ $('Node').item.json.a }}", "$('Node')"],
		['={{ $node.Other.json.a }}', '$node'],
		['={{ $binary.data }}', '$binary'],
		['={{ $parameter.userId }}', 'other parameters'],
		['={{ this.$json.a }}', 'this'],
		['={{ globalThis.x }}', 'globalThis'],
		['={{ ___n8n_data.$json }}', "the evaluator's own name"],
		['={{ \u0024input.item.json.a }}', 'an escape that spells $input'],
		['={{ $json.a.replace(/\\d/, "") }}', 'any backslash'],
		['={{ $json.$a }}', 'a field whose name starts with $'],
	])('leaves %s to n8n item by item (%s)', (raw) => {
		expect(batchExpressionOf(raw)).toBeNull();
	});
});

describe('readItemText with a batch', () => {
	const items = [{ p: 'a' }, { p: 'b' }, { p: { o: [1, null] } }, { p: undefined }, { p: 'e' }];
	const n8n = (itemIndex: number) => items[itemIndex].p;
	const batch = () => items.map((item) => item.p);
	const raw = '={{ $json.p }} ';

	it('takes every item from one evaluation once n8n agrees on the first and the last', () => {
		const { context, calls, evaluateExpression } = fakeContext(raw, items, {
			evaluate: n8n,
			batch,
		});
		expect(items.map((_, i) => readItemText(context, 'propertiesJson', i))).toEqual(
			items.map((item) => item.p),
		);
		expect(evaluateExpression).toHaveBeenCalledTimes(1);
		expect(evaluateExpression).toHaveBeenCalledWith(batchExpressionOf(raw), 0);
		// Item 0 and the last to compare; item 3, whose value (undefined) only n8n may give.
		expect(calls()).toEqual([
			[0, { rawExpressions: true }],
			[0, undefined],
			[4, undefined],
			[3, undefined],
		]);
	});

	it('gives a new copy of an object each time, as n8n does', () => {
		const { context } = fakeContext(raw, items, { evaluate: n8n, batch });
		readItemText(context, 'propertiesJson', 0);
		const first = readItemText(context, 'propertiesJson', 2);
		const second = readItemText(context, 'propertiesJson', 2);
		expect(first).toEqual(items[2].p);
		expect(second).toEqual(first);
		expect(second).not.toBe(first);
	});

	it.each([
		['gives another first value', () => ['x', 'b', items[2].p, undefined, 'e']],
		['gives another last value', () => ['a', 'b', items[2].p, undefined, 'x']],
		[
			'fails',
			() => {
				throw new Error('Expression timed out after 5000ms');
			},
		],
		['gives no list', () => 'a'],
		['gives a list of another length', () => ['a', 'b']],
	])('evaluates each item when the batch %s', (_label, badBatch) => {
		const { context, getNodeParameter, evaluateExpression } = fakeContext(raw, items, {
			evaluate: n8n,
			batch: badBatch,
		});
		expect(items.map((_, i) => readItemText(context, 'propertiesJson', i))).toEqual(
			items.map((item) => item.p),
		);
		expect(evaluateExpression).toHaveBeenCalledTimes(1);
		// The raw value, every item, and the last once more when the first agreed.
		expect(getNodeParameter.mock.calls.length).toBeGreaterThanOrEqual(1 + items.length);
	});

	it.each([
		['as the tool variant of the node', { type: 'n8n-nodes-appcues.appcuesTool' }, items],
		['in a tool execution', { tool: true }, items],
		['for three items', {}, items.slice(0, 3)],
		['for more than 2000 items', {}, Array.from({ length: 2001 }, () => ({ p: 'a' }))],
		[
			'for items of more than 2 MB',
			{},
			Array.from({ length: 5 }, () => ({ p: 'a'.repeat(500_000) })),
		],
	])('makes no batch %s', (_label, options, input) => {
		const { context, evaluateExpression } = fakeContext(raw, input, { batch, ...options });
		readItemText(context, 'propertiesJson', 0);
		readItemText(context, 'propertiesJson', 1);
		expect(evaluateExpression).not.toHaveBeenCalled();
	});
});

describe('Track Event reads its additional fields one by one', () => {
	const t = useFakeAppcues();

	async function run(item: string) {
		return runRecording(
			t,
			{
				resource: 'user',
				operation: 'trackEvent',
				eventName: 'seats_changed',
				additionalFields: {
					attributes: `={{ JSON.stringify({ seats: ${item}.seats }) }}`,
					timestamp: `={{ ${item}.at }}`,
					groupId: 'acme',
				},
			},
			[0, 1, 2, 3, 4, 5].map((index) => ({
				seats: index === 3 ? undefined : index * 2,
				at: index === 4 ? 'yesterday' : 1795168800 + index,
			})),
			(expression) => expression.includes('{ seats:'),
		);
	}

	it('with the same requests and errors as n8n evaluating the whole collection for each item', async () => {
		const fast = await run('$json');
		const slow = await run('$input.item.json');
		expect(fast.same).toEqual(slow.same);
		expect(fast.same.requests).toHaveLength(5);
		expect(fast.same.requests[0][1]).toMatchObject({
			name: 'seats_changed',
			attributes: { seats: 0 },
			group_id: 'acme',
		});
		// The attributes: item 0, the batch (at item 0) and the last item, against each item.
		expect(fast.evaluatedItems).toEqual([0, 0, 5]);
		expect(slow.evaluatedItems).toEqual([0, 1, 2, 3, 4, 5]);
	});
});

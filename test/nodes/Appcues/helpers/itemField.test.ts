/**
 * `{{ $json.field }}` is read from the item without n8n's sandbox, and only where that gives
 * exactly what n8n's evaluation gives: the same values, requests and errors, compared through
 * n8n-core's real expression evaluation.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { describe, expect, it, vi } from 'vitest';

import { readItemText } from '../../../../nodes/Appcues/helpers/itemField';
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
	} as unknown as IExecuteFunctions;
	const calls = () => getNodeParameter.mock.calls.map(([, item, , options]) => [item, options]);
	return { context, getNodeParameter, calls };
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

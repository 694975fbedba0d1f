import { describe, expect, it } from 'vitest';
import type { INodeExecutionData } from 'n8n-workflow';

import { asList, inInputOrder } from '../../../../nodes/Appcues/helpers/results';

describe('list bodies', () => {
	it('reads bare arrays and objects wrapping one array', () => {
		expect(asList([{ id: 1 }])).toEqual([{ id: 1 }]);
		expect(asList({ events: [{ id: 1 }] }, 'events')).toEqual([{ id: 1 }]);
		expect(asList({ data: [{ id: 2 }], total: 1 })).toEqual([{ id: 2 }]);
		expect(asList({ a: [], b: [] })).toEqual([]);
		expect(asList(undefined)).toEqual([]);
	});
});

describe('inInputOrder', () => {
	it('orders by the first paired input, keeping the order of outputs of the same input', () => {
		const out = (name: string, pairedItem: INodeExecutionData['pairedItem']) => ({
			json: { name },
			pairedItem,
		});
		const ordered = inInputOrder([
			out('error 3', { item: 3 }),
			out('error 1', { item: 1 }),
			out('job 0+2', [{ item: 2 }, { item: 0 }]),
			out('second job of 0', { item: 0 }),
			out('job 4+5', [{ item: 5 }, { item: 4 }]),
		]);
		expect(ordered.map((item) => item.json.name)).toEqual([
			'job 0+2',
			'second job of 0',
			'error 1',
			'error 3',
			'job 4+5',
		]);
	});
});

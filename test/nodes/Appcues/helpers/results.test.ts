import { describe, expect, it } from 'vitest';

import { asList } from '../../../../nodes/Appcues/helpers/results';

describe('list bodies', () => {
	it('reads bare arrays and objects wrapping one array', () => {
		expect(asList([{ id: 1 }])).toEqual([{ id: 1 }]);
		expect(asList({ events: [{ id: 1 }] }, 'events')).toEqual([{ id: 1 }]);
		expect(asList({ data: [{ id: 2 }], total: 1 })).toEqual([{ id: 2 }]);
		expect(asList({ a: [], b: [] })).toEqual([]);
		expect(asList(undefined)).toEqual([]);
	});
});

import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';
import { byId } from '../../../../support/fixtures';

describe('tag resource', () => {
	const t = useFakeAppcues();

	it('getAll and get', async () => {
		t.fake.state().tags.set('t1', { id: 't1', name: 'onboarding' });
		t.fake.state().tags.set('t2', { id: 't2', name: 'billing' });
		const all = await t.run({ resource: 'tag', operation: 'getAll', returnAll: false, limit: 1 });
		expect(all.items.map((item) => item.json)).toEqual([{ id: 't1', name: 'onboarding' }]);
		const one = await t.run({ resource: 'tag', operation: 'get', tagId: byId('t2') });
		expect(one.items[0].json).toEqual({ id: 't2', name: 'billing' });
		expect(t.fake.apiRequests().map((r) => r.rawPath)).toEqual([
			'/v2/accounts/12345/tags',
			'/v2/accounts/12345/tags/t2',
		]);
	});
});

import { describe, expect, it } from 'vitest';

import { accountKey, hasBudget } from '../../nodes/Appcues/transport/accountBudget';
import { useFakeAppcues } from '../support/helpers';
import { DEFAULT_ACCOUNT } from '../fake-appcues/server';

const ITEMS = 100;

const updateProfiles = (prefix: string) =>
	({
		resource: 'user',
		operation: 'updateProfile',
		userId: `={{ "${prefix}-" + $itemIndex }}`,
		propertiesInput: 'json',
		propertiesJson: '={{ JSON.stringify({ n: $itemIndex }) }}',
		options: { maxConcurrency: 10 },
	}) as const;

describe('one budget per Appcues account in a process', () => {
	const t = useFakeAppcues({ rateLimitPerSecond: 60, latencyMs: 20 });

	it('two executions at once share it: the account sees no 429, every profile written once', async () => {
		const items = Array.from({ length: ITEMS }, () => ({}));
		// Two real WorkflowExecute runs at the same time, each with its own client and node.
		// Each alone would pace itself at 60/s, together 120/s against the account's 60/s
		// (a bucket one second deep): without a shared budget the fake answers 429s.
		const [a, b] = await Promise.all([
			t.run(updateProfiles('a'), { items }),
			t.run(updateProfiles('b'), { items }),
		]);
		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		expect(a.items).toHaveLength(ITEMS);
		expect(b.items).toHaveLength(ITEMS);

		const patches = t.fake.apiRequests({ method: 'PATCH' });
		expect(patches.filter((r) => r.status === 429)).toHaveLength(0);
		expect(patches).toHaveLength(2 * ITEMS);
		const users = patches.map((r) => r.segments[4]);
		expect(new Set(users).size).toBe(2 * ITEMS);
		expect(t.fake.state().users.get('b-42')?.properties).toEqual({ n: 42 });

		// Both runs interleaved over one pace rather than one after the other.
		const order = patches.map((r) => r.segments[4][0]).join('');
		expect(order.slice(0, ITEMS)).toMatch(/a/);
		expect(order.slice(0, ITEMS)).toMatch(/b/);

		// The process holds the budget under a hash, not under the credential's values.
		expect(
			hasBudget(accountKey(t.fake.url, DEFAULT_ACCOUNT.accountId, DEFAULT_ACCOUNT.apiKey)),
		).toBe(true);
	});
});

import { describe, expect, it } from 'vitest';

import {
	ACCOUNT_REQUESTS_PER_SECOND,
	accountBudget,
	accountKey,
	BUDGET_IDLE_MS,
	budgetCount,
	hasBudget,
	MAX_BUDGETS,
} from '../../../../nodes/Appcues/transport/accountBudget';
import { credentialsFor, useFakeAppcues } from '../../../support/helpers';
import { DEFAULT_ACCOUNT } from '../../../fake-appcues/server';

describe('account budget registry', () => {
	it('keys an account by base URL and account id, hashed (the limit is per account, not per key)', () => {
		const key = accountKey('https://api.appcues.com', '12345');
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('12345');
		expect(accountKey('https://api.appcues.com', '12345')).toBe(key);
		expect(accountKey('https://api.eu.appcues.com', '12345')).not.toBe(key);
		expect(accountKey('https://api.appcues.com', '12346')).not.toBe(key);
		// No ambiguity from joining the parts.
		expect(accountKey('a', 'b:c')).not.toBe(accountKey('a:b', 'c'));
	});

	it('hands every caller of one account the same throttle at the account limit', () => {
		const key = accountKey('http://127.0.0.1:1', 'same');
		const first = accountBudget(key);
		expect(accountBudget(key)).toBe(first);
		expect(first.limit).toBe(ACCOUNT_REQUESTS_PER_SECOND);
		expect(accountBudget(accountKey('http://127.0.0.1:1', 'other'))).not.toBe(first);
	});

	it('drops budgets nobody used for a while, when a new one is made', () => {
		const clock = { now: 1_000_000 };
		const now = () => clock.now;
		const idle = accountKey('http://idle', '1');
		const busy = accountKey('http://busy', '1');
		const idleBudget = accountBudget(idle, now);
		const busyBudget = accountBudget(busy, now);
		expect(idleBudget).not.toBe(busyBudget);
		clock.now += BUDGET_IDLE_MS;
		busyBudget.onAnswer({ at: clock.now, seq: 0 }, false);
		accountBudget(accountKey('http://new', '1'), now);
		expect(hasBudget(idle)).toBe(false);
		expect(hasBudget(busy)).toBe(true);
	});

	it('holds a bounded number of budgets, dropping the least recently used', () => {
		const keys = Array.from({ length: MAX_BUDGETS + 20 }, (_, n) =>
			accountKey('http://many', String(n)),
		);
		accountBudget(keys[0]);
		for (const key of keys.slice(1)) {
			accountBudget(key);
			// The first stays in use all along.
			accountBudget(keys[0]);
		}
		expect(budgetCount()).toBeLessThanOrEqual(MAX_BUDGETS);
		expect(hasBudget(keys[0])).toBe(true);
		expect(hasBudget(keys[1])).toBe(false);
		expect(hasBudget(keys.at(-1)!)).toBe(true);
	});
});

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
		expect(hasBudget(accountKey(t.fake.url, DEFAULT_ACCOUNT.accountId))).toBe(true);
	});
});

describe('two API keys of one account', () => {
	const second = { ...DEFAULT_ACCOUNT, apiKey: 'second-key', apiSecret: 'second-secret' };
	const t = useFakeAppcues({
		accounts: [DEFAULT_ACCOUNT, second],
		rateLimitPerSecond: 60,
		latencyMs: 20,
	});

	it('share one budget: the account sees no 429', async () => {
		const items = Array.from({ length: ITEMS }, () => ({}));
		const [a, b] = await Promise.all([
			t.run(updateProfiles('a'), { items }),
			t.run(updateProfiles('b'), { items, credentials: credentialsFor(t.fake, second) }),
		]);
		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		const patches = t.fake.apiRequests({ method: 'PATCH' });
		expect(new Set(patches.map((r) => r.headers.authorization)).size).toBe(2);
		expect(patches.filter((r) => r.status === 429)).toHaveLength(0);
		expect(patches).toHaveLength(2 * ITEMS);
	});
});

import { describe, expect, it } from 'vitest';

import {
	ACCOUNT_REQUESTS_PER_SECOND,
	accountBudget,
	accountKey,
	BUDGET_IDLE_MS,
	budgetCount,
	hasBudget,
	MAX_BUDGETS,
} from '../../nodes/Appcues/transport/accountBudget';

describe('account budget registry', () => {
	it('keys an account by base URL, account id and API key, hashed', () => {
		const key = accountKey('https://api.appcues.com', '12345', 'very-secret-key');
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('very-secret-key');
		expect(key).not.toContain('12345');
		expect(accountKey('https://api.appcues.com', '12345', 'very-secret-key')).toBe(key);
		expect(accountKey('https://api.eu.appcues.com', '12345', 'very-secret-key')).not.toBe(key);
		expect(accountKey('https://api.appcues.com', '12346', 'very-secret-key')).not.toBe(key);
		expect(accountKey('https://api.appcues.com', '12345', 'other-key')).not.toBe(key);
		// No ambiguity from joining the parts.
		expect(accountKey('a', 'b:c', 'd')).not.toBe(accountKey('a', 'b', 'c:d'));
	});

	it('hands every caller of one account the same throttle at the account limit', () => {
		const key = accountKey('http://127.0.0.1:1', 'same', 'k');
		const first = accountBudget(key);
		expect(accountBudget(key)).toBe(first);
		expect(first.limit).toBe(ACCOUNT_REQUESTS_PER_SECOND);
		expect(accountBudget(accountKey('http://127.0.0.1:1', 'other', 'k'))).not.toBe(first);
	});

	it('drops budgets nobody used for a while, when a new one is made', () => {
		const clock = { now: 1_000_000 };
		const now = () => clock.now;
		const idle = accountKey('http://idle', '1', 'k');
		const busy = accountKey('http://busy', '1', 'k');
		const idleBudget = accountBudget(idle, now);
		const busyBudget = accountBudget(busy, now);
		expect(idleBudget).not.toBe(busyBudget);
		clock.now += BUDGET_IDLE_MS;
		busyBudget.onSuccess();
		accountBudget(accountKey('http://new', '1', 'k'), now);
		expect(hasBudget(idle)).toBe(false);
		expect(hasBudget(busy)).toBe(true);
	});

	it('holds a bounded number of budgets, dropping the least recently used', () => {
		const keys = Array.from({ length: MAX_BUDGETS + 20 }, (_, n) =>
			accountKey('http://many', String(n), 'k'),
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

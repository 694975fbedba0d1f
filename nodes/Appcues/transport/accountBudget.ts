import { createHash } from 'crypto';

import { Throttle } from './throttle';

/** Appcues' documented limit: 60 requests per second per account. */
export const ACCOUNT_REQUESTS_PER_SECOND = 60;
/** A budget nobody used for this long is dropped; the next run starts a fresh one. */
export const BUDGET_IDLE_MS = 5 * 60_000;
/** At most this many accounts are tracked at once; the least recently used goes first. */
export const MAX_BUDGETS = 500;

/**
 * One adaptive throttle per Appcues account for the whole n8n process, shared by every
 * execution and node that calls the account, so concurrent executions (a burst of webhook
 * deliveries, two workflows at once) stay under the account's limit together instead of each
 * taking it all. Module state is coordination only: no data, no secret (keys are hashes).
 * Processes do not share it (queue-mode workers each have their own); the throttle's reaction
 * to 429s makes them settle below the limit together.
 */
const budgets = new Map<string, Throttle>();

/**
 * The account a request counts against: base URL and account id, hashed. Appcues' limit is per
 * account, not per API key, so two keys of one account share one budget.
 */
export function accountKey(baseUrl: string, accountId: string): string {
	return createHash('sha256')
		.update(JSON.stringify([baseUrl, accountId]))
		.digest('hex');
}

export function accountBudget(key: string, now: () => number = Date.now): Throttle {
	const existing = budgets.get(key);
	if (existing) {
		// Re-inserted so the map stays in least-recently-used order.
		budgets.delete(key);
		budgets.set(key, existing);
		return existing;
	}
	dropIdleBudgets(now());
	const created = new Throttle(ACCOUNT_REQUESTS_PER_SECOND, { now });
	budgets.set(key, created);
	return created;
}

function dropIdleBudgets(at: number): void {
	for (const [key, throttle] of budgets) {
		if (at - throttle.lastUsedAt >= BUDGET_IDLE_MS) budgets.delete(key);
	}
	// Map order is insertion order, refreshed on every lookup: the first is the least recent.
	for (const key of budgets.keys()) {
		if (budgets.size < MAX_BUDGETS) break;
		budgets.delete(key);
	}
}

/** For tests: how many budgets the process holds, and whether one exists for a key. */
export function budgetCount(): number {
	return budgets.size;
}

export function hasBudget(key: string): boolean {
	return budgets.has(key);
}

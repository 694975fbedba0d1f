/**
 * Who may call what: v2 routes take Basic auth with the account's API key and secret; the GDPR
 * erasure takes the legacy API key as user with an empty password; the v1 activity route documents
 * no auth, but a key that is sent must be a valid one.
 */
import { HttpProblem } from './problem';
import type { FakeAccount } from './state';

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
	const match = /^Basic\s+(.+)$/i.exec(header ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function callers(accounts: FakeAccount[], authorization: string | undefined) {
	const auth = parseBasic(authorization);
	const byKey = auth
		? accounts.find(
				(account) => account.apiKey === auth.user && account.apiSecret === auth.password,
			)
		: undefined;
	const byLegacy = auth
		? accounts.find(
				(account) => account.legacyApiKey && account.legacyApiKey === auth.user && !auth.password,
			)
		: undefined;
	return { auth, byKey, byLegacy };
}

/** The account a GDPR erasure request is for, by its legacy key; 401 without a valid one. */
export function gdprCaller(accounts: FakeAccount[], authorization: string | undefined) {
	const { auth, byLegacy } = callers(accounts, authorization);
	if (!auth) {
		throw new HttpProblem(
			401,
			'Unauthorized',
			'a legacy API key is required (Basic auth: the key as user, an empty password)',
		);
	}
	if (!byLegacy) throw new HttpProblem(401, 'Unauthorized', 'invalid legacy API key');
	return byLegacy;
}

/**
 * The account of an account-scoped request (`/v1|v2/accounts/{id}/...`) when its caller may use
 * it; 401 for a wrong key, 403 for another account's key, 404 for an unknown v1 account.
 */
export function accountFor(
	accounts: FakeAccount[],
	authorization: string | undefined,
	version: string,
	accountId: string,
): FakeAccount | undefined {
	const { auth, byKey, byLegacy } = callers(accounts, authorization);
	const account = accounts.find((candidate) => candidate.accountId === accountId);
	if (version === 'v1') {
		const caller = byLegacy ?? byKey;
		if (auth && !caller) throw new HttpProblem(401, 'Unauthorized', 'invalid API key');
		if (caller && caller.accountId !== accountId)
			throw new HttpProblem(403, 'Forbidden', 'key is not valid for this account');
		if (!account) throw new HttpProblem(404, 'Not Found', 'account not found');
	} else {
		if (!byKey) throw new HttpProblem(401, 'Unauthorized', 'invalid API key or secret');
		if (byKey.accountId !== accountId) {
			throw new HttpProblem(403, 'Forbidden', 'API key does not have access to this account');
		}
	}
	return account;
}

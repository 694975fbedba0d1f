/**
 * The fake's legacy v1 calls over real HTTP: GDPR erasure with the legacy key.
 */
import { describe, expect, it } from 'vitest';

import { seedDemoData } from '../seed';
import { DEFAULT_ACCOUNT } from '../server';
import { AUTH, form, LEGACY_AUTH, problem, useFake } from '../use-fake';

describe('GDPR erasure (v1, legacy key)', () => {
	const t = useFake({ seed: seedDemoData, gdprMaxFileBytes: 1000 });
	const gdpr = (body: NonNullable<RequestInit['body']>, headers: Record<string, string>) =>
		fetch(`${t.fake.url}/v1/gdpr/delete`, { method: 'POST', body, headers });

	it('JSON users with the legacy key: erased from users, groups and segments', async () => {
		const response = await gdpr(JSON.stringify({ users: ['ada', 'alan'] }), {
			authorization: LEGACY_AUTH,
			'content-type': 'application/json',
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ ok: true, message: 'accepted 2 users for deletion' });
		const state = t.fake.state();
		expect(state.users.has('ada')).toBe(false);
		expect(state.groups.get('acme')?.users).toEqual(new Set(['grace']));
		expect(state.segments.get('seg-admins')?.user_ids).toEqual(new Set(['katherine']));
		expect(state.gdprDeleted).toEqual(['ada', 'alan']);
		expect(state.gdprRequests).toEqual([
			{ users: ['ada', 'alan'], via: 'json', at: expect.any(String) },
		]);
		expect(t.fake.requests[0].accountId).toBe('12345');
	});

	it('a missing or wrong legacy key is 401', async () => {
		const body = JSON.stringify({ users: ['ada'] });
		const json = { 'content-type': 'application/json' };
		const missing = await gdpr(body, json);
		expect([missing.status, (await problem(missing)).detail]).toEqual([
			401,
			'a legacy API key is required (Basic auth: the key as user, an empty password)',
		]);
		const wrongKeys = [
			`Basic ${Buffer.from('wrong-key:').toString('base64')}`,
			`Basic ${Buffer.from(`${DEFAULT_ACCOUNT.legacyApiKey}:not-empty`).toString('base64')}`,
			AUTH,
			`Bearer ${DEFAULT_ACCOUNT.legacyApiKey}`,
		];
		for (const authorization of wrongKeys) {
			const response = await gdpr(body, { ...json, authorization });
			expect(response.status).toBe(401);
		}
		expect(t.fake.state().gdprDeleted).toEqual([]);
	});

	it('a multipart single-column CSV below 8 MB (here: the test limit)', async () => {
		const csv = await gdpr(form('file', 'user_id\nada\n"grace"\n', 'text/csv', 'erase.csv'), {
			authorization: LEGACY_AUTH,
		});
		expect(csv.status).toBe(200);
		expect(await csv.json()).toEqual({ ok: true, message: 'accepted 2 users for deletion' });
		const headerless = await gdpr(form('file', 'alan\r\n', 'text/csv', 'erase.csv'), {
			authorization: LEGACY_AUTH,
		});
		expect(headerless.status).toBe(200);
		expect(t.fake.state().gdprRequests.map((entry) => [entry.via, entry.users])).toEqual([
			['csv', ['ada', 'grace']],
			['csv', ['alan']],
		]);

		const justBelow = 'user_id\n' + 'k'.repeat(999 - 'user_id\n'.length - 1) + '\n';
		expect(Buffer.byteLength(justBelow)).toBe(999);
		expect(
			(await gdpr(form('file', justBelow, 'text/csv', 'erase.csv'), { authorization: LEGACY_AUTH }))
				.status,
		).toBe(200);
		const atLimit = justBelow.replace('k', 'kk');
		const refused = await gdpr(form('file', atLimit, 'text/csv', 'erase.csv'), {
			authorization: LEGACY_AUTH,
		});
		expect([refused.status, (await problem(refused)).detail]).toEqual([
			413,
			'the CSV file must be smaller than 1000 bytes',
		]);

		const twoColumns = await gdpr(
			form('file', 'user_id,email\nada,a@b.c\n', 'text/csv', 'erase.csv'),
			{ authorization: LEGACY_AUTH },
		);
		expect([twoColumns.status, (await problem(twoColumns)).detail]).toEqual([
			400,
			'line 1: the CSV must have a single user_id column, found 2 columns',
		]);
		const rawCsv = await gdpr('ada\n', { authorization: LEGACY_AUTH, 'content-type': 'text/csv' });
		expect(rawCsv.status).toBe(415);
		const empty = await gdpr(JSON.stringify({ users: [] }), {
			authorization: LEGACY_AUTH,
			'content-type': 'application/json',
		});
		expect([empty.status, (await problem(empty)).detail]).toEqual([
			400,
			'users must be a non-empty array of user ids',
		]);
	});
});

import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT, FakeAppcues } from '../../../fake-appcues/server';
import { credentialsFor, useFakeAppcues } from '../../../support/helpers';
import {
	encodeSegment,
	path,
	UnsafePathSegmentError,
} from '../../../../nodes/Appcues/transport/paths';
import { byId } from '../../../support/fixtures';

describe('path segments from user input are encoded', () => {
	const t = useFakeAppcues();

	it.each([
		['a/b', 'a%2Fb'],
		['../x', '..%2Fx'],
		['50% off', '50%25%20off'],
		['#1?x=y', '%231%3Fx%3Dy'],
		['Zoë 日本', 'Zo%C3%AB%20%E6%97%A5%E6%9C%AC'],
		['...', '...'],
	])('user id %j reaches its own profile', async (userId, encoded) => {
		const result = await t.run({
			resource: 'user',
			operation: 'updateProfile',
			userId,
			propertiesInput: 'json',
			propertiesJson: '{"seen":true}',
		});
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request.rawPath).toBe(`/v2/accounts/12345/users/${encoded}/profile`);
		expect(request.segments).toEqual(['v2', 'accounts', '12345', 'users', userId, 'profile']);
		expect([...t.fake.state().users.keys()]).toEqual([userId]);
	});

	it('segment and experience ids are encoded too', async () => {
		t.fake.state().experiences.get('flows')!.set('f/1', { id: 'f/1', name: 'slash' });
		const result = await t.run({
			resource: 'experience',
			operation: 'publish',
			experienceType: 'flows',
			experienceId: byId('f/1'),
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0].rawPath).toBe('/v2/accounts/12345/flows/f%2F1/publish');
		const missing = await t.run({
			resource: 'segment',
			operation: 'delete',
			segmentId: byId('../../users/u1/profile'),
		});
		expect(missing.error?.httpCode).toBe('404');
		expect(t.fake.apiRequests()[1].segments).toEqual([
			'v2',
			'accounts',
			'12345',
			'segments',
			'../../users/u1/profile',
		]);
	});

	it('an account id with special characters stays one segment', async () => {
		const fake = new FakeAppcues({ accounts: [{ ...DEFAULT_ACCOUNT, accountId: 'acct/1' }] });
		await fake.start();
		try {
			const result = await t.run(
				{ resource: 'tag', operation: 'getAll', returnAll: true },
				{ credentials: credentialsFor(fake, { ...DEFAULT_ACCOUNT, accountId: 'acct/1' }) },
			);
			expect(result.error).toBeUndefined();
			expect(fake.apiRequests()[0].rawPath).toBe('/v2/accounts/acct%2F1/tags');
		} finally {
			await fake.close();
		}
	});
});

describe('paths', () => {
	it('encodes each interpolated value as one segment', () => {
		expect(path`/users/${'a/b'}/profile`).toBe('/users/a%2Fb/profile');
		expect(path`/${'flows-v2'}/${'x y'}/publish`).toBe('/flows-v2/x%20y/publish');
	});
	it.each(['', '.', '..'])('refuses %j', (value) => {
		expect(() => encodeSegment(value)).toThrow(UnsafePathSegmentError);
	});
});

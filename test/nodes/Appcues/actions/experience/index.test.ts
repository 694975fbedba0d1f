import { describe, expect, it } from 'vitest';

import { EXPERIENCE_TYPES } from '../../../../../nodes/Appcues/actions/experience/experienceType';
import { useFakeAppcues } from '../../../../support/helpers';
import { byId, runAgainstServer } from '../../../../support/fixtures';

describe('experience resource', () => {
	const t = useFakeAppcues();

	it.each(EXPERIENCE_TYPES.map((option) => String(option.value)))(
		'get, getAll, publish and unpublish %s',
		async (type) => {
			const experiences = t.fake.state().experiences.get(type)!;
			experiences.set('x1', { id: 'x1', name: `${type} one`, published: false });
			experiences.set('x2', { id: 'x2', name: `${type} two`, published: true });

			const all = await t.run({
				resource: 'experience',
				operation: 'getAll',
				experienceType: type,
				returnAll: true,
			});
			expect(all.items.map((item) => item.json.id)).toEqual(['x1', 'x2']);

			const one = await t.run({
				resource: 'experience',
				operation: 'get',
				experienceType: type,
				experienceId: byId('x1'),
			});
			expect(one.items[0].json).toMatchObject({ id: 'x1', name: `${type} one` });

			const published = await t.run({
				resource: 'experience',
				operation: 'publish',
				experienceType: type,
				experienceId: byId('x1'),
			});
			expect(published.items[0].json).toEqual({ id: 'x1', type, published: true });
			expect(experiences.get('x1')?.published).toBe(true);

			await t.run({
				resource: 'experience',
				operation: 'unpublish',
				experienceType: type,
				experienceId: byId('x2'),
			});
			expect(experiences.get('x2')?.published).toBe(false);

			expect(t.fake.apiRequests().map((r) => `${r.method} ${r.rawPath} ${r.rawBody}`)).toEqual([
				`GET /v2/accounts/12345/${type} `,
				`GET /v2/accounts/12345/${type}/x1 `,
				`POST /v2/accounts/12345/${type}/x1/publish `,
				`POST /v2/accounts/12345/${type}/x2/unpublish `,
			]);
		},
	);
	it("publish outputs Appcues' answer, which wins over what was asked", async () => {
		const { result } = await runAgainstServer(
			t,
			(_req, res) =>
				res
					.writeHead(200, { 'Content-Type': 'application/json' })
					.end('{"id":"f1","published":false,"state":"PENDING_REVIEW"}'),
			{
				resource: 'experience',
				operation: 'publish',
				experienceType: 'flows',
				experienceId: byId('f1'),
			},
		);
		expect(result.items[0].json).toEqual({
			id: 'f1',
			type: 'flows',
			published: false,
			state: 'PENDING_REVIEW',
		});
	});
});

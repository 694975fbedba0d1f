import { describe, expect, it } from 'vitest';

import { EXPERIENCE_TYPES } from '../../nodes/Appcues/actions/experience/types';
import { createJob } from '../fake-appcues/server';
import { useFakeAppcues } from '../support/helpers';

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

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

	it('getAll with Simplify keeps the fields an agent needs and drops the steps', async () => {
		const flows = t.fake.state().experiences.get('flows')!;
		flows.set('f1', {
			id: 'f1',
			name: 'Welcome',
			type: 'flows',
			published: true,
			state: 'PUBLISHED',
			updated_at: '2026-11-01T09:00:00Z',
			steps: [{ id: 's1', content: 'x'.repeat(500) }],
			created_by: 'u1',
		});
		flows.set('f2', { id: 'f2', name: 'Draft' });
		const all = await t.run({
			resource: 'experience',
			operation: 'getAll',
			experienceType: 'flows',
			returnAll: true,
			simplify: true,
		});
		expect(all.items.map((item) => item.json)).toEqual([
			{
				id: 'f1',
				name: 'Welcome',
				type: 'flows',
				published: true,
				state: 'PUBLISHED',
				updated_at: '2026-11-01T09:00:00Z',
			},
			{ id: 'f2', name: 'Draft' },
		]);
		const full = await t.run({
			resource: 'experience',
			operation: 'getAll',
			experienceType: 'flows',
			returnAll: true,
		});
		expect(full.items[0].json.steps).toHaveLength(1);
	});

	it('reads the id from a Studio URL', async () => {
		t.fake.state().experiences.get('flows')!.set('f-9', { id: 'f-9', name: 'Welcome' });
		const result = await t.run({
			resource: 'experience',
			operation: 'get',
			experienceType: 'flows',
			experienceId: {
				__rl: true,
				mode: 'url',
				value: 'https://studio.appcues.com/flows/f-9/settings',
			},
		});
		expect(result.items[0].json.name).toBe('Welcome');
	});
});

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

describe('job resource', () => {
	const t = useFakeAppcues();

	it('get shows the status moving on, and getAll lists jobs', async () => {
		const { job_id } = createJob(
			t.fake.state(),
			`${t.fake.url}/v2/accounts/12345`,
			'import profiles',
		);
		const statuses: unknown[] = [];
		for (let poll = 0; poll < 3; poll++) {
			const result = await t.run({ resource: 'job', operation: 'get', jobId: job_id });
			statuses.push(result.items[0].json.status);
		}
		expect(statuses).toEqual(['queued', 'running', 'complete']);
		const all = await t.run({ resource: 'job', operation: 'getAll', returnAll: true });
		expect(all.items.map((item) => item.json.id)).toEqual([job_id]);
		expect(t.fake.apiRequests()[0].rawPath).toBe(`/v2/accounts/12345/jobs/${job_id}`);
	});

	it('get of an unknown job shows Appcues detail', async () => {
		const result = await t.run({ resource: 'job', operation: 'get', jobId: 'nope' });
		expect(result.error?.message).toBe('Appcues API error 404: Not Found: no such job');
	});
});

import { describe, expect, it } from 'vitest';

import { createJob } from '../../../../fake-appcues/server';
import { useFakeAppcues } from '../../../../support/helpers';

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
});

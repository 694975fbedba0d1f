import { describe, expect, it } from 'vitest';

import { useFakeAppcues, useVirtualPollWaits } from '../../../../support/helpers';

describe('job wait', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 1 });
	useVirtualPollWaits();

	it('polls until the job is finished and outputs it', async () => {
		const imported = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items: [{ user_id: 'u1' }] },
		);
		const jobId = String(imported.items[0].json.job_id);
		const result = await t.run({ resource: 'job', operation: 'wait', jobId });
		expect(result.items[0].json).toMatchObject({ id: jobId, status: 'complete' });
		expect(t.fake.apiRequests({ method: 'GET' }).map((request) => request.rawPath)).toEqual([
			`/v2/accounts/12345/jobs/${jobId}`,
			`/v2/accounts/12345/jobs/${jobId}`,
		]);
	}, 15_000);

	it('understands numeric statuses', async () => {
		t.fake.configure({ statusStyle: 'numeric', jobPollsToFinish: 0 });
		const imported = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items: [{ user_id: 'u1' }] },
		);
		const result = await t.run({
			resource: 'job',
			operation: 'wait',
			jobId: String(imported.items[0].json.job_id),
		});
		expect(result.items[0].json.status).toBe(200);
	}, 15_000);
});

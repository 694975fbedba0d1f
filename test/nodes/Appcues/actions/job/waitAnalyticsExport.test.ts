import { describe, expect, it } from 'vitest';

import { seedAnalyticsExport } from '../../../../support/analytics-exports';
import { useFakeAppcues, useVirtualPollWaits } from '../../../../support/helpers';

describe('job: wait for analytics export', () => {
	const t = useFakeAppcues();
	const waits = useVirtualPollWaits();
	const wait = (jobId: string, waitTimeoutMinutes = 1) =>
		t.run({ resource: 'job', operation: 'waitAnalyticsExport', jobId, waitTimeoutMinutes });
	const polls = () =>
		t.fake.apiRequests().filter((request) => request.rawPath.endsWith('/analytics/exports/exp'));

	it('an export that is already done is output at the first poll', async () => {
		seedAnalyticsExport(t.fake, 'exp');
		const result = await wait('exp');
		expect(result.items.map((item) => item.json)).toEqual([
			{
				job_id: 'exp',
				status: 'done',
				download_url: expect.stringContaining('/__download/'),
				expires_at: expect.any(String),
			},
		]);
		expect(polls().map((request) => request.status)).toEqual([200]);
		expect(waits).toEqual([]);
	});

	it('polls a queued export until it is done', async () => {
		seedAnalyticsExport(t.fake, 'exp', { pollsToFinish: 1 });
		const result = await wait('exp');
		expect(result.items[0].json).toMatchObject({ job_id: 'exp', status: 'done' });
		expect(polls()).toHaveLength(2);
		expect(waits).toEqual([2000]);
	});

	it('a failed export is an error carrying its failure_reason; Continue On Fail makes it an error item', async () => {
		seedAnalyticsExport(t.fake, 'exp', { outcome: 'failed', failure_reason: 'export expired' });
		const failed = await wait('exp');
		expect(failed.error?.message).toBe('Appcues job exp failed: export expired');
		const continued = await t.run(
			{ resource: 'job', operation: 'waitAnalyticsExport', jobId: 'exp' },
			{ continueOnFail: true },
		);
		expect(continued.items).toEqual([
			{
				json: {
					error: 'Appcues job exp failed: export expired',
					description: 'Final status: "failed".',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('an export that does not finish in time is an error naming the job and where to pick it up', async () => {
		seedAnalyticsExport(t.fake, 'exp', { outcome: 'stall' });
		const result = await wait('exp', 0.05);
		expect(result.error?.message).toBe('Appcues job exp did not finish within 3 seconds [item 0]');
		expect(result.error?.description).toBe(
			'Last status: "running". The job goes on in Appcues: look it up later with Job > Get Analytics Export, Wait for Analytics Export or Download Analytics Export and the job ID exp, or raise the timeout.',
		);
		// At once (the export may have finished long ago), after 2 s, and at the deadline, as
		// Appcues' CLI polls; a wait that began with a pause would poll twice.
		expect(polls()).toHaveLength(3);
		// 2 s, then what is left of the 3 s (real time moves on a little meanwhile).
		expect(waits).toEqual([2000, expect.any(Number)]);
		expect(waits[1]).toBeGreaterThan(0);
		expect(waits[1]).toBeLessThanOrEqual(1000);
	});
});

import type { AnalyticsExportRecord, FakeAppcues } from '../fake-appcues/server';

/** An analytics export job in the fake, as if POSTed to analytics/exports earlier. */
export function seedAnalyticsExport(
	fake: FakeAppcues,
	jobId: string,
	{ rows = [{ name: 'signed_up', events: 4 }], ...record }: Partial<AnalyticsExportRecord> = {},
): AnalyticsExportRecord {
	const job: AnalyticsExportRecord = {
		job_id: jobId,
		spec: {
			metrics: ['events'],
			dimensions: ['name'],
			start_time: '2026-01-01',
			end_time: '2026-01-31',
		},
		rows,
		polls: 0,
		created_at: new Date().toISOString(),
		outcome: 'done',
		pollsToFinish: 0,
		...record,
	};
	fake.state().analyticsExports.set(jobId, job);
	return job;
}

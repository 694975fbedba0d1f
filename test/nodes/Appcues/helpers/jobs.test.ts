import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { jobIdOf, jobOutcome } from '../../../../nodes/Appcues/helpers/jobs';
import { ANALYTICS_SPEC, byId, seedSegment } from '../../../support/fixtures';
import { useFakeAppcues } from '../../../support/helpers';

describe('jobs', () => {
	it.each([
		['queued', 'running'],
		['running', 'running'],
		['complete', 'done'],
		['Completed', 'done'],
		['done', 'done'],
		['failed', 'failed'],
		['error', 'failed'],
		[202, 'running'],
		[200, 'done'],
		['200', 'done'],
		[400, 'failed'],
		[422, 'failed'],
		[undefined, 'running'],
		['something new', 'running'],
	])('status %j is %s', (status, outcome) => {
		expect(jobOutcome(status)).toBe(outcome);
	});

	it('reads the job id from job_id or from job_url', () => {
		expect(jobIdOf({ job_id: 'abc' })).toBe('abc');
		expect(jobIdOf({ job_id: 42 })).toBe('42');
		expect(jobIdOf({ job_url: 'https://api.appcues.com/v2/accounts/1/jobs/j%2F1' })).toBe('j/1');
		expect(jobIdOf({ status: 202 })).toBeUndefined();
	});
});

describe('Timeout (Minutes) is checked in every operation that waits, before any request', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	const waiting: Array<[string, INodeParameters, IDataObject[]?]> = [
		['Job > Wait', { resource: 'job', operation: 'wait', jobId: 'job-1' }],
		['Analytics > Export', { resource: 'analytics', operation: 'export', query: ANALYTICS_SPEC }],
		[
			'Import > Profiles',
			{ resource: 'import', operation: 'profiles', source: 'items', waitForCompletion: true },
			[{ user_id: 'u1' }],
		],
		[
			'Segment > Add Users',
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: byId('seg-1'),
				userIds: 'u1',
				waitForCompletion: true,
			},
		],
		[
			'Segment > Export Membership',
			{
				resource: 'segment',
				operation: 'exportMembership',
				segmentId: byId('seg-1'),
				waitForCompletion: true,
			},
		],
		[
			'Export > Events',
			{
				resource: 'export',
				operation: 'events',
				startTime: '2026-01-01T00:00:00',
				endTime: '2026-01-02T00:00:00',
				waitForCompletion: true,
			},
		],
	];
	const range = 'must be a number from 0.05 to 1440';
	const refused: Array<[string, string]> = [
		['={{ "soon" }}', `${range}, not "soon"`],
		['={{ $json.nothing }}', 'is empty'],
		['={{ NaN }}', `${range}, not NaN`],
		['={{ 0 }}', `${range}, not 0`],
		['={{ -1 }}', `${range}, not -1`],
		['={{ 1441 }}', `${range}, not 1441`],
	];

	describe.each(waiting)('%s', (_name, parameters, items) => {
		it.each(refused)('%s is refused', async (timeout, problem) => {
			seedSegment(t, 'seg-1', 'Seg');
			const result = await t.run(
				{ ...parameters, waitTimeoutMinutes: timeout },
				{ items: items ?? [{}] },
			);
			expect(result.error?.message).toBe(`Timeout (Minutes) ${problem} [item 0]`);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});
	});
});

import { describe, expect, it } from 'vitest';

import { jobIdOf, jobOutcome } from '../../../../nodes/Appcues/helpers/jobs';

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

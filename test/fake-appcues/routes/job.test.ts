/**
 * The fake's legacy job routes over real HTTP: jobs that finish, fail or never finish.
 */
import { describe, expect, it } from 'vitest';

import { createJob } from '../server';
import { useFake } from '../use-fake';

describe('jobs', () => {
	const t = useFake();

	async function statuses(jobId: string, polls: number) {
		const seen: unknown[] = [];
		for (let poll = 0; poll < polls; poll++) {
			const job = (await (await t.api(`/jobs/${jobId}`)).json()) as Record<string, unknown>;
			seen.push(job.detail === undefined ? job.status : [job.status, job.detail]);
		}
		return seen;
	}

	const importOne = async (userId = 'u1') => {
		const response = await t.post(
			'/import/profiles',
			`{"user_id":"${userId}","plan":"pro"}\n`,
			'application/x-ndjson',
		);
		return ((await response.json()) as { job_id: string }).job_id;
	};

	it('queued on the first poll, running, then complete', async () => {
		const jobId = await importOne();
		expect(await statuses(jobId, 4)).toEqual(['queued', 'running', 'complete', 'complete']);
		const job = (await (await t.api(`/jobs/${jobId}`)).json()) as Record<string, unknown>;
		expect(job).toEqual({
			id: jobId,
			name: 'import profiles',
			status: 'complete',
			started_at: expect.any(String),
			url: `${t.fake.url}/v2/accounts/12345/jobs/${jobId}`,
		});
	});

	it('failNextJobs: the next jobs end "failed" with the reason in detail, and change nothing', async () => {
		t.fake.failNextJobs(2, 'line 1: user u1 is locked');
		const first = await importOne('u1');
		const second = await importOne('u2');
		const third = await importOne('u3');
		expect(await statuses(first, 3)).toEqual([
			'queued',
			'running',
			['failed', 'line 1: user u1 is locked'],
		]);
		expect(await statuses(second, 3)).toEqual([
			'queued',
			'running',
			['failed', 'line 1: user u1 is locked'],
		]);
		expect(await statuses(third, 3)).toEqual(['queued', 'running', 'complete']);
		expect([...t.fake.state().users.keys()]).toEqual(['u3']);
		expect(t.fake.state().imports.map((entry) => entry.applied)).toEqual([false, false, true]);

		t.fake.failNextJobs();
		expect(await statuses(await importOne(), 3)).toEqual([
			'queued',
			'running',
			['failed', 'the job could not be completed: the data could not be processed'],
		]);
	});

	it('stallNextJobs: the job never finishes', async () => {
		t.fake.stallNextJobs(1);
		const stalled = await importOne('u1');
		const normal = await importOne('u2');
		expect(await statuses(stalled, 8)).toEqual(['queued', ...Array(7).fill('running')]);
		expect(await statuses(normal, 3)).toEqual(['queued', 'running', 'complete']);
		expect(t.fake.state().users.has('u1')).toBe(false);
	});

	it("statusStyle 'numeric': 202 while queued or running, 200 when done, 422 when failed", async () => {
		t.fake.configure({ statusStyle: 'numeric', jobPollsToFinish: 3 });
		t.fake.failNextJobs(1, 'bad rows');
		const failed = await importOne('u1');
		const done = await importOne('u2');
		expect(await statuses(failed, 4)).toEqual([202, 202, 202, [422, 'bad rows']]);
		expect(await statuses(done, 4)).toEqual([202, 202, 202, 200]);
	});

	it('createJob takes options for tests that make jobs directly', async () => {
		const base = `${t.fake.url}/v2/accounts/12345`;
		const failed = createJob(t.fake.state(), base, 'import events', {
			fail: 'boom',
			pollsToFinish: 1,
		});
		const stalled = createJob(t.fake.state(), base, 'import events', { stall: true });
		const legacy = createJob(t.fake.state(), base, 'import events', 'done');
		expect(await statuses(failed.job_id, 2)).toEqual(['queued', ['failed', 'boom']]);
		expect(await statuses(stalled.job_id, 4)).toEqual(['queued', 'running', 'running', 'running']);
		expect(await statuses(legacy.job_id, 3)).toEqual(['queued', 'running', 'done']);
		const list = (await (await t.api('/jobs')).json()) as Array<{ id: string }>;
		expect(list.map((job) => job.id)).toEqual([failed.job_id, stalled.job_id, legacy.job_id]);
	});
});

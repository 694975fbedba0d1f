/**
 * The legacy job routes (nodes/Appcues/actions/job): list and poll.
 */
import { HttpProblem } from '../problem';
import type { JobRecord } from '../state';
import type { RouteModule } from './route';

export const jobRoutes: RouteModule = (fake) => {
	const jobView = (job: JobRecord, baseUrl: string) => {
		const finished = !job.stall && job.polls >= (job.pollsToFinish ?? fake.jobPollsToFinish);
		const word = finished ? job.finalStatus : job.polls === 0 ? 'queued' : 'running';
		const status =
			fake.statusStyle === 'numeric'
				? !finished
					? 202
					: job.finalStatus === 'failed'
						? 422
						: 200
				: word;
		return {
			id: job.id,
			name: job.name,
			status,
			started_at: job.created_at,
			url: `${baseUrl}/jobs/${job.id}`,
			...(finished && job.failureReason ? { detail: job.failureReason } : {}),
			...(job.detail ?? {}),
		};
	};

	return [
		{
			method: 'GET',
			pattern: ['jobs'],
			handle: ({ state, baseUrl }) => [...state.jobs.values()].map((job) => jobView(job, baseUrl)),
		},
		{
			method: 'GET',
			pattern: ['jobs', ':jobId'],
			handle: ({ params, state, baseUrl }) => {
				const job = state.jobs.get(params.jobId);
				if (!job) throw new HttpProblem(404, 'Not Found', 'no such job');
				const view = jobView(job, baseUrl);
				job.polls++;
				return view;
			},
		},
	];
};

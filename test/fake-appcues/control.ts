/**
 * The control API under /__fake/ for users in another process (the e2e suite, `npm run dev`,
 * the benchmarks): readiness, the request log, reset, faults, settings, job plans and state.
 * Its requests are not recorded.
 */
import type { ServerResponse } from 'node:http';

import type { FakeAppcues } from './server';
import { serializeState } from './state';

export function handleControl(
	fake: FakeAppcues,
	method: string,
	rawPath: string,
	rawBody: string,
	res: ServerResponse,
) {
	const json = (status: number, payload: unknown) => {
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify(payload));
	};
	const body = rawBody ? JSON.parse(rawBody) : {};
	if (method === 'GET' && rawPath === '/__fake/ready') return json(200, { ok: true });
	if (method === 'GET' && rawPath === '/__fake/requests') return json(200, fake.requests);
	if (method === 'POST' && rawPath === '/__fake/reset') {
		fake.reset();
		return json(200, { ok: true });
	}
	if (method === 'POST' && rawPath === '/__fake/faults') {
		for (const fault of Array.isArray(body) ? body : [body]) {
			fake.addFault({
				...fault,
				times: fault.times === null || fault.times === 'Infinity' ? Infinity : fault.times,
			});
		}
		return json(200, { ok: true });
	}
	if (method === 'POST' && rawPath === '/__fake/settings') {
		if (typeof body.rateLimitPerSecond === 'number')
			fake.rateLimitPerSecond = body.rateLimitPerSecond;
		if (typeof body.latencyMs === 'number') fake.latencyMs = body.latencyMs;
		const settings: Record<string, unknown> = {};
		for (const key of [
			'jobPollsToFinish',
			'maxBodyBytes',
			'maxFileBytes',
			'gdprMaxFileBytes',
			'downloadTtlSeconds',
		]) {
			if (typeof body[key] === 'number') settings[key] = body[key];
		}
		if (body.statusStyle === 'string' || body.statusStyle === 'numeric')
			settings.statusStyle = body.statusStyle;
		if (typeof body.analyticsRows === 'number' || body.analyticsRows === null)
			settings.analyticsRows = body.analyticsRows ?? undefined;
		if (typeof body.recordBodies === 'boolean') settings.recordBodies = body.recordBodies;
		if (typeof body.rateLimitHeaders === 'boolean')
			settings.rateLimitHeaders = body.rateLimitHeaders;
		if (typeof body.analyticsConcurrency === 'number' || body.analyticsConcurrency === null)
			settings.analyticsConcurrency = body.analyticsConcurrency ?? undefined;
		fake.configure(settings);
		return json(200, { ok: true });
	}
	if (method === 'POST' && rawPath === '/__fake/jobs') {
		// {"fail": n, "reason"?: "...", "stall": n}: plan the outcome of the next jobs.
		if (typeof body.fail === 'number' && body.fail > 0)
			fake.failNextJobs(body.fail, typeof body.reason === 'string' ? body.reason : undefined);
		if (typeof body.stall === 'number' && body.stall > 0) fake.stallNextJobs(body.stall);
		if (body.clear === true) fake.clearJobPlan();
		return json(200, { ok: true });
	}
	if (method === 'GET' && rawPath.startsWith('/__fake/state/')) {
		const state = fake.states.get(decodeURIComponent(rawPath.slice('/__fake/state/'.length)));
		if (!state) return json(404, { error: 'no such account' });
		return json(200, serializeState(state));
	}
	return json(404, { error: 'unknown control route' });
}

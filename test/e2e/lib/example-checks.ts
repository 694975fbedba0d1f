/**
 * The checks of the example workflows (test/e2e/workflows/*.json), shared by the regular-mode suite
 * (appcues.e2e.ts, runs them with `n8n execute`) and the queue-mode suite (queue.e2e.ts, runs them
 * on a worker): the same assertions on the node outputs and on the requests the fake received.
 * Each check runs its workflow through `ctx.run` and returns the result for mode-specific checks.
 */
import { expect } from 'vitest';

import type { FakeAppcues, RecordedRequest } from '../../fake-appcues/server';
import { basicAuth, WEBHOOK_SECRET, WRONG_API_SECRET } from './appcues';
import { nodeOutput, stripAnsi, type ExecuteResult, type RunItem } from './n8n';

export const ACCOUNT = {
	accountId: '12345',
	apiKey: 'test-key',
	apiSecret: 'test-secret-value-do-not-leak',
	legacyApiKey: 'legacy-key-do-not-leak',
};
export const KEY_AUTH = basicAuth(ACCOUNT.apiKey, ACCOUNT.apiSecret);
export const LEGACY_AUTH = basicAuth(ACCOUNT.legacyApiKey, '');
export const WRONG_AUTH = basicAuth(ACCOUNT.apiKey, WRONG_API_SECRET);
export const V2 = `/v2/accounts/${ACCOUNT.accountId}`;
/** Never to appear in anything n8n prints. */
export const SECRETS = [ACCOUNT.apiSecret, ACCOUNT.legacyApiKey, WEBHOOK_SECRET, WRONG_API_SECRET];

export interface Call {
	method: string;
	path: string;
	auth?: string;
	body?: unknown;
	status: number;
}

export function toCall(request: RecordedRequest): Call {
	const call: Call = {
		method: request.method,
		path:
			request.rawPath +
			(Object.keys(request.query).length ? `?${new URLSearchParams(request.query)}` : ''),
		auth: request.headers.authorization as string | undefined,
		status: request.status,
	};
	if (request.body !== '' && request.body !== undefined) call.body = request.body;
	return call;
}

/** Calls compared as a multiset: items of one node run concurrently, so their order may vary. */
export function sortCalls(calls: Call[]): Call[] {
	const key = (c: Call) => `${c.path} ${c.method} ${JSON.stringify(c.body ?? null)}`;
	return [...calls].sort((a, b) => key(a).localeCompare(key(b)));
}

export function items(res: ExecuteResult, node: string): RunItem[] {
	const task = res.run?.data.resultData.runData[node]?.[0];
	if (!task) throw new Error(`node "${node}" did not run`);
	return task.data?.main?.[0] ?? [];
}

export function explain(res: ExecuteResult): string {
	const error = res.run?.data.resultData.error;
	return `${res.exit}, status ${res.run?.status}${error ? `, error: ${JSON.stringify(error).slice(0, 800)}` : ''}\n${stripAnsi(res.output).split('\n').slice(-40).join('\n')}`;
}

export interface ExampleContext {
	/** The fake Appcues API the credentials point at. */
	readonly fake: FakeAppcues;
	/** Run the example workflow `key` (fake reset first); with expectOk, assert it succeeded. */
	run(key: string, expectOk?: boolean): Promise<ExecuteResult>;
}

export interface ExampleCheck {
	title: string;
	check(ctx: ExampleContext): Promise<ExecuteResult>;
}

/** Keyed by workflow file name (users, groups, ...); every example but the trigger. */
export const EXAMPLE_CHECKS: Record<string, ExampleCheck> = {
	users: {
		title:
			'users: update, track, legacy activity, get, events, delete and GDPR erase, with expressions',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('users');
			const ids = ['e2e-ada', 'e2e-bob'];
			// Appcues' answer ({"status": 200}) with the user id kept for the next node.
			expect(nodeOutput(res.run, 'Update Profile')).toEqual(
				ids.map((id) => ({ user_id: id, status: 200 })),
			);
			expect(nodeOutput(res.run, 'Track Event')).toEqual(
				ids.map((id) => expect.objectContaining({ user_id: id })),
			);
			expect(nodeOutput(res.run, 'Track Activity (Legacy)')).toEqual(
				ids.map((id) => ({ request_id: `req-${id}` })),
			);
			expect(nodeOutput(res.run, 'Get Profile')).toEqual([
				{
					user_id: 'e2e-ada',
					name: 'Ada Example',
					seats: 7,
					plan: 'PRO',
					login_source: 'legacy',
					seats_doubled: 14,
				},
				{
					user_id: 'e2e-bob',
					name: 'Bob Example',
					seats: 2,
					plan: 'TRIAL',
					login_source: 'legacy',
					seats_doubled: 4,
				},
			]);
			const latest = {
				name: 'legacy_login',
				timestamp: '2026-11-20T11:00:00.000Z',
				attributes: { via: 'legacy' },
			};
			expect(nodeOutput(res.run, 'Get Latest Event')).toEqual([latest, latest]);
			expect(nodeOutput(res.run, 'Delete Profile')).toEqual([{ deleted: true }, { deleted: true }]);
			const [erased] = items(res, 'Erase Users (GDPR)');
			expect(erased.json).toEqual({
				ok: true,
				message: 'accepted 2 users for deletion',
				users: 2,
				user_ids: ['e2e-ada', 'e2e-bob'],
			});
			expect(erased.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);

			const seats: Record<string, number> = { 'e2e-ada': 7, 'e2e-bob': 2 };
			const expected: Call[] = ids.flatMap((id, i) => [
				{
					method: 'PATCH',
					path: `${V2}/users/${id}/profile`,
					auth: KEY_AUTH,
					status: 200,
					body: {
						name: id === 'e2e-ada' ? 'Ada Example' : 'Bob Example',
						seats: seats[id],
						plan: id === 'e2e-ada' ? 'PRO' : 'TRIAL',
					},
				},
				{
					method: 'POST',
					path: `${V2}/users/${id}/events`,
					auth: KEY_AUTH,
					status: 200,
					// `{{ 1795168800 + $itemIndex }}` (Unix seconds) is sent as ISO 8601.
					body: {
						name: 'seats_changed',
						timestamp: `2026-11-20T10:00:0${i}.000Z`,
						attributes: { seats: seats[id] },
						group_id: 'acme',
					},
				},
				{
					method: 'POST',
					path: `/v1/accounts/${ACCOUNT.accountId}/users/${id}/activity`,
					auth: LEGACY_AUTH,
					status: 200,
					body: {
						events: [{ ...latest }],
						profile_update: { login_source: 'legacy', seats_doubled: seats[id] * 2 },
						request_id: `req-${id}`,
					},
				},
				{ method: 'GET', path: `${V2}/users/${id}/profile`, auth: KEY_AUTH, status: 200 },
				{ method: 'GET', path: `${V2}/users/${id}/events?limit=1`, auth: KEY_AUTH, status: 200 },
				{ method: 'DELETE', path: `${V2}/users/${id}/profile`, auth: KEY_AUTH, status: 204 },
			]);
			expected.push({
				method: 'POST',
				path: '/v1/gdpr/delete',
				auth: LEGACY_AUTH,
				status: 200,
				body: { users: ids },
			});
			expect(sortCalls(calls())).toEqual(sortCalls(expected));
			// The GDPR call is the last one: it gathers the ids of all items.
			expect(calls().at(-1)?.path).toBe('/v1/gdpr/delete');
			expect(fake.state(ACCOUNT.accountId).gdprRequests.at(-1)?.users).toEqual(ids);
			expect(fake.state(ACCOUNT.accountId).users.has('e2e-ada')).toBe(false);
			return res;
		},
	},
	groups: {
		title: 'groups: update a group, add users from an expression list, read it back',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('groups');
			expect(nodeOutput(res.run, 'Update Group')).toEqual([
				{ group_id: 'e2e-initech', status: 200 },
			]);
			expect(nodeOutput(res.run, 'Add Users to Group')).toEqual([
				{ group_id: 'e2e-initech', added: 2, user_ids: ['ada', 'grace'] },
			]);
			expect(nodeOutput(res.run, 'Get Group')).toEqual([
				{ group_id: 'e2e-initech', name: 'Initech', tier: 'pro', employees: 120 },
			]);
			expect(calls()).toEqual([
				{
					method: 'PATCH',
					path: `${V2}/groups/e2e-initech/profile`,
					auth: KEY_AUTH,
					status: 200,
					body: { name: 'Initech', tier: 'pro', employees: 120 },
				},
				{
					method: 'POST',
					path: `${V2}/groups/e2e-initech/users`,
					auth: KEY_AUTH,
					status: 204,
					body: { user_ids: ['ada', 'grace'] },
				},
				{ method: 'GET', path: `${V2}/groups/e2e-initech/profile`, auth: KEY_AUTH, status: 200 },
			]);
			expect([...fake.state(ACCOUNT.accountId).groups.get('e2e-initech')!.users]).toEqual([
				'ada',
				'grace',
			]);
			return res;
		},
	},
	segments: {
		title:
			'segments: create, get, rename, add, remove with Wait for Completion, export, get by Studio URL, delete, list',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('segments');
			const [created] = nodeOutput(res.run, 'Create Segment');
			const id = created.id as string;
			expect(created).toMatchObject({
				name: 'E2E Power Admins',
				description: 'Created by the end-to-end suite',
				user_count: 0,
			});
			expect(nodeOutput(res.run, 'Rename Segment')).toEqual([
				expect.objectContaining({ id, name: 'E2E Renamed 0' }),
			]);
			const [added] = nodeOutput(res.run, 'Add Members');
			expect(added).toEqual({
				segment_id: id,
				added: 3,
				requests: 1,
				job_ids: [expect.any(String)],
			});
			const [removed] = nodeOutput(res.run, 'Remove Member (wait)');
			const removeJob = (removed.job_ids as string[])[0];
			expect(removed).toMatchObject({
				segment_id: id,
				removed: 1,
				requests: 1,
				job_ids: [removeJob],
			});
			expect(removed.jobs).toEqual([
				expect.objectContaining({
					id: removeJob,
					job_id: removeJob,
					status: 'complete',
					name: 'segment remove_user_ids',
				}),
			]);
			expect(nodeOutput(res.run, 'Export Members')).toEqual([
				expect.objectContaining({ segment_id: id, job_id: expect.any(String), status: 202 }),
			]);
			expect(nodeOutput(res.run, 'Get Trial Segment by URL')).toEqual([
				expect.objectContaining({ id: 'seg-trial', name: 'Trial Users' }),
			]);
			expect(nodeOutput(res.run, 'Delete Segment')).toEqual([{ deleted: true }]);
			expect(nodeOutput(res.run, 'List Segments').map((s) => s.id)).toEqual([
				'seg-power-users',
				'seg-trial',
				'seg-admins',
			]);

			const seg = `${V2}/segments/${encodeURIComponent(id)}`;
			expect(calls()).toEqual([
				{
					method: 'POST',
					path: `${V2}/segments`,
					auth: KEY_AUTH,
					status: 200,
					body: { name: 'E2E Power Admins', description: 'Created by the end-to-end suite' },
				},
				{ method: 'GET', path: seg, auth: KEY_AUTH, status: 200 },
				{
					method: 'PATCH',
					path: seg,
					auth: KEY_AUTH,
					status: 200,
					body: { name: 'E2E Renamed 0' },
				},
				{
					method: 'POST',
					path: `${seg}/add_user_ids`,
					auth: KEY_AUTH,
					status: 202,
					body: { user_ids: ['ada', 'grace', 'alan'] },
				},
				{
					method: 'POST',
					path: `${seg}/remove_user_ids`,
					auth: KEY_AUTH,
					status: 202,
					body: { user_ids: ['grace'] },
				},
				// Wait for Completion: "queued" on the first poll, "complete" on the second.
				{ method: 'GET', path: `${V2}/jobs/${removeJob}`, auth: KEY_AUTH, status: 200 },
				{ method: 'GET', path: `${V2}/jobs/${removeJob}`, auth: KEY_AUTH, status: 200 },
				{
					method: 'POST',
					path: `${seg}/segment_membership_export`,
					auth: KEY_AUTH,
					status: 202,
					body: { property_names: ['email', 'plan'], format: 'json', email: 'ops@example.com' },
				},
				{ method: 'GET', path: `${V2}/segments/seg-trial`, auth: KEY_AUTH, status: 200 },
				{ method: 'DELETE', path: seg, auth: KEY_AUTH, status: 204 },
				{ method: 'GET', path: `${V2}/segments`, auth: KEY_AUTH, status: 200 },
			]);
			// The two polls were at least the first backoff step (2 s) apart.
			const polls = fake.requests.filter((r) => r.rawPath.endsWith(`/jobs/${removeJob}`));
			expect(polls[1].at - polls[0].at).toBeGreaterThanOrEqual(1900);
			return res;
		},
	},
	experiences: {
		title:
			'experiences: get by Studio URL, publish and unpublish (type from an expression), list, download the screenshots of each',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('experiences');
			expect(nodeOutput(res.run, 'Get Flow by URL')).toEqual([
				expect.objectContaining({ id: 'flows-1', name: 'Welcome tour', type: 'flows' }),
			]);
			expect(nodeOutput(res.run, 'Publish Banner')).toEqual([
				{ id: 'banners-1', type: 'banners', published: true },
			]);
			expect(nodeOutput(res.run, 'Unpublish Checklist')).toEqual([
				{ id: 'checklists-1', type: 'checklists', published: false },
			]);
			expect(nodeOutput(res.run, 'List NPS Surveys').map((e) => e.id)).toEqual(['nps-1', 'nps-2']);
			// One ZIP per survey, as binary data; the JSON says what it is.
			const shots = items(res, 'Download Screenshots');
			expect(shots.map((item) => item.json)).toEqual(
				['nps-1', 'nps-2'].map((id) => ({
					experience_id: id,
					file_name: `${id}-screenshots.zip`,
					mime_type: 'application/zip',
					bytes: expect.any(Number),
				})),
			);
			for (const item of shots) {
				expect(item.binary?.screenshots).toMatchObject({ mimeType: 'application/zip' });
			}
			expect(calls()).toEqual([
				{ method: 'GET', path: `${V2}/flows/flows-1`, auth: KEY_AUTH, status: 200 },
				// Publish and unpublish send no body at all.
				{ method: 'POST', path: `${V2}/banners/banners-1/publish`, auth: KEY_AUTH, status: 200 },
				{
					method: 'POST',
					path: `${V2}/checklists/checklists-1/unpublish`,
					auth: KEY_AUTH,
					status: 200,
				},
				{ method: 'GET', path: `${V2}/nps`, auth: KEY_AUTH, status: 200 },
				{ method: 'GET', path: `${V2}/screenshots/nps-1`, auth: KEY_AUTH, status: 200 },
				{ method: 'GET', path: `${V2}/screenshots/nps-2`, auth: KEY_AUTH, status: 200 },
			]);
			const experiences = fake.state(ACCOUNT.accountId).experiences;
			expect(experiences.get('banners')!.get('banners-1')!.published).toBe(true);
			expect(experiences.get('checklists')!.get('checklists-1')!.published).toBe(false);
			return res;
		},
	},
	tags: {
		title: 'tags: list with a limit, then get each by an id from the previous node',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('tags');
			expect(nodeOutput(res.run, 'List Tags').map((tag) => tag.id)).toEqual([
				'tag-onboarding',
				'tag-billing',
			]);
			const got = items(res, 'Get Tag');
			expect(got.map((item) => [item.json.id, item.pairedItem])).toEqual([
				['tag-onboarding', { item: 0 }],
				['tag-billing', { item: 1 }],
			]);
			expect(sortCalls(calls())).toEqual(
				sortCalls([
					{ method: 'GET', path: `${V2}/tags`, auth: KEY_AUTH, status: 200 },
					{ method: 'GET', path: `${V2}/tags/tag-onboarding`, auth: KEY_AUTH, status: 200 },
					{ method: 'GET', path: `${V2}/tags/tag-billing`, auth: KEY_AUTH, status: 200 },
				]),
			);
			return res;
		},
	},
	jobs: {
		title:
			'jobs: export events, then get the job, wait for it and list jobs; an analytics export picked up by its job ID (get, wait, download)',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('jobs');
			const [accepted] = nodeOutput(res.run, 'Export Events');
			const jobId = accepted.job_id as string;
			expect(accepted).toEqual({
				job_id: jobId,
				job_url: `${fake.url}${V2}/jobs/${jobId}`,
				status: 202,
				title: 'Accepted',
			});
			expect(nodeOutput(res.run, 'Get Job')).toEqual([
				expect.objectContaining({ id: jobId, name: 'export events', status: 'queued' }),
			]);
			expect(nodeOutput(res.run, 'Wait for Job')).toEqual([
				expect.objectContaining({ id: jobId, status: 'complete' }),
			]);
			const listed = nodeOutput(res.run, 'List Jobs').map((job) => job.id);
			expect(listed).toContain('job-demo-import');
			expect(listed).toContain(jobId);
			// The analytics export branch: accepted without waiting, then picked up by its job ID.
			const [submitted] = nodeOutput(res.run, 'Export Analytics (No Wait)');
			const exportId = submitted.job_id as string;
			expect(submitted).toEqual({ job_id: exportId, status: 'queued' });
			expect(nodeOutput(res.run, 'Get Analytics Export')).toEqual([
				{ job_id: exportId, status: 'queued' },
			]);
			expect(nodeOutput(res.run, 'Wait for Analytics Export')).toEqual([
				{
					job_id: exportId,
					status: 'done',
					download_url: expect.stringContaining('/__download/'),
					expires_at: expect.any(String),
				},
			]);
			const [downloaded] = items(res, 'Download Analytics Export');
			expect(downloaded.json).toEqual({
				job_id: exportId,
				status: 'done',
				expires_at: expect.any(String),
				file_name: `appcues-analytics-${exportId}.json`,
				mime_type: 'application/json',
				bytes: expect.any(Number),
			});
			expect(downloaded.binary?.report).toMatchObject({ mimeType: 'application/json' });
			const all = calls();
			const exportCalls = all.filter(
				(call) => call.path.includes('/analytics/') || call.path.startsWith('/__download/'),
			);
			expect(
				exportCalls.map(({ method, path, auth, status }) => [
					method,
					path.split('?')[0].replace(/[0-9a-f]{32}/, '<token>'),
					auth,
					status,
				]),
			).toEqual([
				['POST', `${V2}/analytics/exports`, KEY_AUTH, 202],
				['GET', `${V2}/analytics/exports/${exportId}`, KEY_AUTH, 200],
				['GET', `${V2}/analytics/exports/${exportId}`, KEY_AUTH, 200],
				['GET', `${V2}/analytics/exports/${exportId}`, KEY_AUTH, 200],
				// The presigned download carries no credentials.
				['GET', '/__download/<token>.json', undefined, 200],
			]);
			expect(all.filter((call) => !exportCalls.includes(call))).toEqual([
				{
					method: 'POST',
					path: `${V2}/export/events`,
					auth: KEY_AUTH,
					status: 202,
					body: {
						format: 'json',
						start_time: '2026-10-01T00:00:00',
						end_time: '2026-11-01T00:00:00',
						conditions: [['name', '==', 'signed_up']],
						time_zone: '00:00',
						email: 'ops@example.com',
					},
				},
				{ method: 'GET', path: `${V2}/jobs/${jobId}`, auth: KEY_AUTH, status: 200 },
				{ method: 'GET', path: `${V2}/jobs/${jobId}`, auth: KEY_AUTH, status: 200 },
				{ method: 'GET', path: `${V2}/jobs`, auth: KEY_AUTH, status: 200 },
			]);
			return res;
		},
	},
	'import-items': {
		title:
			'import from input items: NDJSON rows of profiles, events and groups; a bad row becomes an error item',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const res = await run('import-items');
			const profiles = items(res, 'Import Profiles');
			// In input order: the batch stands where its first row was, the bad row's error after it.
			expect(profiles.map((item) => item.json)).toEqual([
				{
					job_id: expect.any(String),
					job_url: expect.any(String),
					status: 202,
					title: 'Accepted',
					rows: 3,
					bytes: expect.any(Number),
				},
				{
					error: 'Item 2 was not imported: "user_id" is missing or empty',
					itemIndex: 2,
					reason: '"user_id" is missing or empty',
				},
			]);
			expect(profiles[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 3 }]);
			expect(nodeOutput(res.run, 'Import Events')).toEqual([
				expect.objectContaining({ rows: 2, status: 202 }),
			]);
			expect(nodeOutput(res.run, 'Import Groups')).toEqual([
				expect.objectContaining({ rows: 1, status: 202 }),
			]);

			const ndjson = (rows: object[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');
			const imports = fake.requests.filter((r) => r.rawPath.includes('/import/'));
			expect(
				imports.map((r) => [
					r.rawPath,
					r.headers['content-type'],
					r.headers.authorization,
					r.body,
					r.status,
				]),
			).toEqual([
				[
					`${V2}/import/profiles`,
					'application/x-ndjson',
					KEY_AUTH,
					ndjson([
						{ email: 'one@example.com', plan: 'pro', seats: 3, user_id: 'imp-1' },
						{ email: 'two@example.com', plan: 'enterprise', seats: 40, user_id: 'imp-2' },
						{ email: 'three@example.com', plan: 'trial', seats: 1, user_id: 'imp-3' },
					]),
					202,
				],
				[
					`${V2}/import/events`,
					'application/x-ndjson',
					KEY_AUTH,
					ndjson([
						{
							user_id: 'imp-1',
							name: 'report_exported',
							timestamp: '2026-11-20T10:00:00.000Z',
							attributes: { source: 'warehouse' },
						},
						{
							user_id: 'imp-2',
							name: 'report_exported',
							timestamp: '2026-11-20T10:00:00.000Z',
							attributes: { source: 'warehouse' },
						},
					]),
					202,
				],
				[
					`${V2}/import/groups`,
					'application/x-ndjson',
					KEY_AUTH,
					ndjson([{ name: 'Imported Co', tier: 'pro', group_id: 'imp-co' }]),
					202,
				],
			]);
			expect(imports).toHaveLength(fake.requests.length);
			expect(fake.state(ACCOUNT.accountId).users.get('imp-2')?.properties).toEqual({
				email: 'two@example.com',
				plan: 'enterprise',
				seats: 40,
			});
			return res;
		},
	},
	'import-file': {
		title:
			'import from files: a CSV made by "Convert to File" uploaded as multipart with Wait for Completion; NDJSON as raw body; segment members from a CSV',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const res = await run('import-file');
			const [csvJob] = nodeOutput(res.run, 'Import CSV (wait)');
			const jobId = csvJob.job_id as string;
			expect(csvJob).toMatchObject({
				id: jobId,
				status: 'complete',
				name: 'import profiles',
				file_name: 'profiles.csv',
				format: 'csv',
			});
			expect(nodeOutput(res.run, 'Add CSV Users to Segment')).toEqual([
				expect.objectContaining({
					segment_id: 'seg-trial',
					file_name: 'user_ids.csv',
					job_id: expect.any(String),
					status: 202,
				}),
			]);
			expect(nodeOutput(res.run, 'Import NDJSON (raw body)')).toEqual([
				expect.objectContaining({
					file_name: 'events.ndjson',
					format: 'ndjson',
					status: 202,
					job_id: expect.any(String),
				}),
			]);

			const byPath = (suffix: string) => fake.requests.filter((r) => r.rawPath.endsWith(suffix));
			const [csvUpload] = byPath('/import/profiles');
			expect(csvUpload.headers.authorization).toBe(KEY_AUTH);
			expect(String(csvUpload.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
			expect(csvUpload.parts).toEqual([
				{
					name: 'file',
					filename: 'profiles.csv',
					contentType: 'text/csv',
					bytes: expect.any(Number),
				},
			]);
			// Streamed from n8n's binary store with its exact length declared, not chunked.
			expect(csvUpload.headers['content-length']).toBe(String(csvUpload.bytes));
			expect(csvUpload.headers['transfer-encoding']).toBeUndefined();
			// n8n's CSV writer quotes the value with a comma (and may start with a byte-order mark).
			expect(csvUpload.rawBody).toMatch(
				/user_id,email,plan\r?\nfile-1,f1@example.com,pro\r?\nfile-2,f2@example.com,trial\r?\nfile-3,f3@example.com,"pro, annual"/,
			);
			expect(byPath(`/jobs/${jobId}`).map((r) => r.status)).toEqual([200, 200]);
			const [segmentUpload] = byPath('/segments/seg-trial/add_user_ids');
			expect(segmentUpload.parts).toEqual([
				{
					name: 'file',
					filename: 'user_ids.csv',
					contentType: 'text/csv',
					bytes: expect.any(Number),
				},
			]);
			expect(segmentUpload.rawBody).toMatch(/user_id\r?\nfile-1\r?\nfile-2\r?\nfile-3/);
			const [ndjsonUpload] = byPath('/import/events');
			expect(ndjsonUpload.headers['content-type']).toBe('application/x-ndjson');
			expect(ndjsonUpload.rawBody).toBe(
				'{"user_id":"file-1","name":"opened_report","timestamp":"2026-11-20T10:00:00Z","attributes":{"report":"q3"}}\n' +
					'{"user_id":"file-2","name":"opened_report","timestamp":1795168800,"attributes":{"report":"q4"}}\n',
			);
			expect(fake.requests).toHaveLength(5);

			const state = fake.state(ACCOUNT.accountId);
			const csvImport = state.imports.find((record) => record.jobId === jobId)!;
			expect(csvImport).toMatchObject({
				kind: 'profiles',
				format: 'csv',
				via: 'multipart',
				fileName: 'profiles.csv',
				rows: 3,
				applied: true,
			});
			expect(csvImport.records[2]).toEqual({
				user_id: 'file-3',
				email: 'f3@example.com',
				plan: 'pro, annual',
			});
			expect([...state.segments.get('seg-trial')!.user_ids]).toEqual(
				expect.arrayContaining(['file-1', 'file-2', 'file-3']),
			);
			return res;
		},
	},
	analytics: {
		title:
			'analytics: export waits for the job and downloads the file without credentials; query gives rows as items',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('analytics');
			const [exported] = items(res, 'Export Analytics');
			const jobId = exported.json.job_id as string;
			expect(exported.json).toMatchObject({
				job_id: jobId,
				status: 'done',
				file_name: `appcues-analytics-${jobId}.csv`,
				mime_type: 'text/csv',
			});
			// A bearer link to the data: left out once the file is downloaded.
			expect(exported.json).not.toHaveProperty('download_url');
			expect(exported.binary?.report).toMatchObject({
				fileName: `appcues-analytics-${jobId}.csv`,
				mimeType: 'text/csv',
			});
			// The downloaded CSV, read back by n8n's own "Extract from File".
			expect(nodeOutput(res.run, 'Read CSV')).toEqual([
				{ name: 'appcues:flow_completed', users: '1', events: '1' },
				{ name: 'invited_teammate', users: '1', events: '1' },
				{ name: 'report_exported', users: '2', events: '2' },
				{ name: 'signed_up', users: '4', events: '4' },
			]);
			expect(nodeOutput(res.run, 'Query Analytics')).toEqual([
				{ name: 'signed_up', users: 4, events: 4 },
				{ name: 'report_exported', users: 2, events: 2 },
				{ name: 'appcues:flow_completed', users: 1, events: 1 },
				{ name: 'invited_teammate', users: 1, events: 1 },
			]);
			const spec = {
				metrics: ['users', 'events'],
				dimensions: ['name'],
				start_time: '2026-10-01',
				end_time: '2026-10-31',
			};
			const list = calls();
			expect(
				list.map(
					({ method, path }) =>
						`${method} ${path.split('?')[0].replace(/[0-9a-f]{32}/, '<token>')}`,
				),
			).toEqual([
				`POST ${V2}/analytics/exports`,
				`GET ${V2}/analytics/exports/${jobId}`,
				`GET ${V2}/analytics/exports/${jobId}`,
				'GET /__download/<token>.csv',
				`POST ${V2}/analytics/query`,
			]);
			expect(list[0]).toMatchObject({
				auth: KEY_AUTH,
				status: 202,
				body: { ...spec, order_by: [['name', 'asc']], format: 'csv' },
			});
			expect(list[1].auth).toBe(KEY_AUTH);
			// The presigned download carries no Authorization header (storage must never see the key).
			expect(list[3]).toMatchObject({ auth: undefined, status: 200 });
			expect(list[4]).toMatchObject({
				auth: KEY_AUTH,
				status: 200,
				body: {
					...spec,
					order_by: [
						['events', 'desc'],
						['name', 'asc'],
					],
				},
			});
			return res;
		},
	},
	errors: {
		title:
			'errors as items with Continue On Fail: a 404, a bad timestamp (nothing sent), a wrong secret, GDPR without a legacy key',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('errors');
			expect(nodeOutput(res.run, 'Get Missing Segment')).toEqual([
				{
					error: 'Appcues API error 404: Not Found: segment seg-missing not found',
					description: `Request: GET ${V2}/segments/seg-missing`,
				},
			]);
			expect(nodeOutput(res.run, 'Bad Timestamp')).toEqual([
				{
					error: 'Timestamp is not a valid timestamp [item 0]',
					description: expect.stringContaining('Got "yesterday-ish"'),
				},
			]);
			expect(nodeOutput(res.run, 'Wrong Key')).toEqual([
				{
					error:
						'Appcues refused the credentials (401 Unauthorized): check the API key, secret, account ID and region',
					description: expect.stringContaining(`Request: GET ${V2}/tags`),
				},
			]);
			expect(nodeOutput(res.run, 'GDPR Without Legacy Key')).toEqual([
				{
					error: 'This operation needs the Legacy API Key',
					description: expect.stringContaining('Add the legacy (v1) API key'),
					// The error item still names who would have been erased.
					users: 1,
					user_ids: ['ada'],
				},
			]);
			expect(calls()).toEqual([
				{ method: 'GET', path: `${V2}/segments/seg-missing`, auth: KEY_AUTH, status: 404 },
				{ method: 'GET', path: `${V2}/tags`, auth: WRONG_AUTH, status: 401 },
			]);
			return res;
		},
	},
	'account-tools': {
		title:
			'account tools: list, describe, call with fields and with JSON, an image, a tool error as an item; every request to the tools origin with appcues-api-key only',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const res = await run('account-tools');
			const tools = nodeOutput(res.run, 'List Account Tools');
			expect(tools.map((tool) => tool.name)).toContain('create_campaign');
			expect(tools.find((tool) => tool.name === 'create_campaign')).toMatchObject({
				annotations: { readOnlyHint: false },
				inputSchema: { required: ['name', 'objective_id'] },
			});
			expect(nodeOutput(res.run, 'Describe Create Campaign')).toEqual([
				expect.objectContaining({ name: 'create_campaign', role: 'account_write' }),
			]);
			expect(nodeOutput(res.run, 'List Campaigns').slice(0, 2)).toEqual([
				{ type: 'campaign', id: 'c1', name: 'Launch', status: 'active' },
				{ type: 'campaign', id: 'c2', name: 'Onboard', status: 'draft' },
			]);
			const briefs = items(res, 'Get Each Campaign');
			expect(briefs.slice(0, 2).map((item) => [item.json.objective, item.pairedItem])).toEqual([
				['Activation', { item: 0 }],
				['Retention', { item: 1 }],
			]);
			const [created] = nodeOutput(res.run, 'Create Campaign');
			expect(created.text).toMatch(/^Created campaign c\d+ "Q3 feature launch" as a draft\.$/);
			const createRun = res.run?.data.resultData.runData['Create Campaign']?.[0] as
				{ hints?: Array<{ message: string }> } | undefined;
			expect(createRun?.hints?.map((hint) => hint.message)).toEqual([
				'Create Campaign (create_campaign) changes data in Appcues: it is not marked read-only.',
			]);
			expect(nodeOutput(res.run, 'Create With Unknown Objective')).toEqual([
				{
					error: 'The account tool create_campaign failed: objective_id not found [item 0]',
					description: expect.stringContaining('The tool ran and reported this error'),
				},
			]);
			const [shot] = items(res, 'Experience Screenshot');
			expect(shot.json).toEqual({ text: 'Screenshot of step 1 of flows-1' });
			expect(shot.binary?.data).toMatchObject({
				mimeType: 'image/png',
				fileName: 'get_experience_screenshot.png',
			});

			const toolsKey = Buffer.from(`${ACCOUNT.apiKey}:${ACCOUNT.apiSecret}`).toString('base64');
			expect(fake.requests.every((request) => request.origin === 'tools')).toBe(true);
			for (const request of fake.requests) {
				expect(request.headers['appcues-api-key']).toBe(toolsKey);
				expect(request.headers.authorization).toBeUndefined();
			}
			const posted = fake.requests
				.filter((request) => request.method === 'POST')
				.map((request) => [request.rawPath, request.body]);
			expect(posted).toContainEqual([
				'/v1/tools/create_campaign',
				{
					arguments: {
						name: 'Q3 feature launch',
						objective_id: 'o1',
						priority: 2,
						channel: 'web',
						tags: ['launch', 'q3'],
					},
				},
			]);
			expect(posted).toContainEqual([
				'/v1/tools/get_campaign',
				{ arguments: { campaign_id: 'c2' } },
			]);
			expect(
				fake.requests
					.filter((request) => request.method === 'GET')
					.map((r) => r.rawPath)
					.sort(),
			).toEqual([
				'/v1/tools',
				'/v1/tools/create_campaign',
				'/v1/tools/create_campaign',
				'/v1/tools/create_campaign',
				'/v1/tools/get_campaign',
				'/v1/tools/get_experience_screenshot',
				'/v1/tools/list_campaigns',
			]);
			return res;
		},
	},
	'wrong-key': {
		title: 'a wrong API secret fails the execution with the credential message',
		check: async (ctx) => {
			const { run, fake } = ctx;
			const calls = () => fake.requests.map(toCall);
			const res = await run('wrong-key', false);
			expect(res.run?.status).toBe('error');
			const message =
				'Appcues refused the credentials (401 Unauthorized): check the API key, secret, account ID and region';
			expect(res.run?.data.resultData.error?.message).toBe(message);
			expect(res.run?.data.resultData.runData['List Tags']?.[0]?.error?.message).toBe(message);
			expect(calls()).toEqual([
				{ method: 'GET', path: `${V2}/tags`, auth: WRONG_AUTH, status: 401 },
			]);
			return res;
		},
	},
};

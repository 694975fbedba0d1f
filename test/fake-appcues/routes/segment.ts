/**
 * The segment routes (nodes/Appcues/actions/segment): CRUD, membership (JSON or a CSV file) and
 * the membership export.
 */
import { randomUUID } from 'node:crypto';

import { parseIdColumn } from '../bulk';
import { badRequest, HttpProblem } from '../problem';
import type { AccountState } from '../state';
import {
	checkEmail,
	filePart,
	now,
	objectBody,
	type Route,
	type RouteModule,
	userIdsBody,
} from './route';

export const segmentRoutes: RouteModule = (fake) => {
	const segmentOf = (state: AccountState, id: string) => {
		const segment = state.segments.get(id);
		if (!segment) throw new HttpProblem(404, 'Not Found', `segment ${id} not found`);
		return segment;
	};
	const publicSegment = (
		segment: Record<string, unknown> & { user_ids: Set<string> },
		baseUrl: string,
	) => {
		const { user_ids, ...rest } = segment;
		return {
			...rest,
			url: `${baseUrl}/segments/${encodeURIComponent(String(segment.id))}`,
			user_count: user_ids.size,
		};
	};

	return [
		{
			method: 'GET',
			pattern: ['segments'],
			handle: ({ state, baseUrl }) =>
				[...state.segments.values()].map((segment) => publicSegment(segment, baseUrl)),
		},
		{
			method: 'POST',
			pattern: ['segments'],
			handle: ({ state, body, baseUrl }) => {
				const input = objectBody(body, 'segment');
				if (typeof input.name !== 'string' || !input.name.trim())
					throw new HttpProblem(400, 'Bad Request', 'name is required');
				const id = `-${randomUUID().replace(/-/g, '').slice(0, 19)}`;
				const segment = {
					id,
					name: input.name,
					description: typeof input.description === 'string' ? input.description : null,
					created_at: now(),
					updated_at: now(),
					user_ids: new Set<string>(),
				};
				state.segments.set(id, segment);
				return publicSegment(segment, baseUrl);
			},
		},
		{
			method: 'GET',
			pattern: ['segments', ':segmentId'],
			handle: ({ params, state, baseUrl }) =>
				publicSegment(segmentOf(state, params.segmentId), baseUrl),
		},
		{
			method: 'PATCH',
			pattern: ['segments', ':segmentId'],
			handle: ({ params, state, body, baseUrl }) => {
				const segment = segmentOf(state, params.segmentId);
				const input = objectBody(body, 'segment');
				for (const key of Object.keys(input)) {
					if (!['name', 'description'].includes(key))
						throw new HttpProblem(400, 'Bad Request', `unknown field ${key}`);
				}
				Object.assign(segment, input, { updated_at: now() });
				return publicSegment(segment, baseUrl);
			},
		},
		{
			method: 'DELETE',
			pattern: ['segments', ':segmentId'],
			handle: ({ params, state, status }) => {
				segmentOf(state, params.segmentId);
				state.segments.delete(params.segmentId);
				status(204);
			},
		},
		...(['add_user_ids', 'remove_user_ids'] as const).map((action): Route => ({
			method: 'POST',
			pattern: ['segments', ':segmentId', action],
			// JSON {"user_ids": [...]} (SOURCES.md: CLI), or a multipart upload whose "file" part is a CSV
			// with a single user_id column, header required (`-F file=@user_ids.csv`; the column
			// name is unknown in the sources, user_id is the fake's choice).
			accepts: ['json', 'multipart'],
			handle: ({ params, state, body, mediaType, parts, baseUrl, status }) => {
				const segment = segmentOf(state, params.segmentId);
				const ids =
					mediaType === 'multipart/form-data'
						? parseIdColumn(filePart(parts).data.toString('utf8'), { headerRequired: true })
						: userIdsBody(body);
				const { response, applies } = fake.startJob(state, baseUrl, `segment ${action}`);
				if (applies)
					ids.forEach((id) =>
						action === 'add_user_ids' ? segment.user_ids.add(id) : segment.user_ids.delete(id),
					);
				status(202);
				return response;
			},
		})),
		{
			method: 'POST',
			pattern: ['segments', ':segmentId', 'segment_membership_export'],
			// Body optional (SOURCES.md: Community OpenAPI): property_names, format, email; other
			// fields are refused. Delivered by email or through the jobs API, so only a job here.
			handle: ({ params, state, body, baseUrl, status }) => {
				segmentOf(state, params.segmentId);
				const request = body === '' || body === undefined ? {} : objectBody(body, 'body');
				for (const key of Object.keys(request)) {
					if (!['property_names', 'format', 'email'].includes(key))
						throw badRequest(`unknown field ${key}`);
				}
				const names = request.property_names;
				if (
					names !== undefined &&
					(!Array.isArray(names) || names.some((name) => typeof name !== 'string' || !name))
				) {
					throw badRequest('property_names must be an array of property names');
				}
				if (request.format !== undefined && !['csv', 'json'].includes(request.format as string)) {
					throw badRequest('format must be "csv" or "json"');
				}
				checkEmail(request.email);
				const { response } = fake.startJob(state, baseUrl, 'segment membership export');
				state.exports.push({
					kind: 'segment_membership',
					segmentId: params.segmentId,
					request,
					jobId: response.job_id,
				});
				status(202);
				return response;
			},
		},
	];
};

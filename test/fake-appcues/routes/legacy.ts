/**
 * The legacy v1 calls: the activity route (user trackActivity) here, and GDPR erasure
 * (user gdprDelete), which the server core calls itself because it takes the legacy key.
 */
import { parseIdColumn } from '../bulk';
import type { MultipartPart } from '../multipart';
import { badRequest, formatBytes, HttpProblem } from '../problem';
import type { FakeAppcues } from '../server';
import type { AccountState } from '../state';
import {
	type BodyKind,
	type DispatchResult,
	ensureUser,
	isTimestamp,
	objectBody,
	type RouteModule,
} from './route';

export const legacyRoutes: RouteModule = () => {
	return [
		{
			method: 'POST',
			pattern: ['v1', 'users', ':userId', 'activity'],
			handle: ({ params, state, body }) => {
				const activity = objectBody(body, 'activity');
				const events = activity.events;
				if (events !== undefined && !Array.isArray(events))
					throw new HttpProblem(400, 'Bad Request', 'events must be an array');
				for (const event of (events as Array<Record<string, unknown>>) ?? []) {
					if (typeof event.name !== 'string' || !event.name || event.name.length > 127) {
						throw new HttpProblem(
							400,
							'Bad Request',
							'every event needs a name of at most 127 characters',
						);
					}
					if (!isTimestamp(event.timestamp))
						throw new HttpProblem(
							400,
							'Bad Request',
							'event timestamp must be ISO 8601 or Unix time',
						);
				}
				const record = ensureUser(state, params.userId);
				for (const event of (events as Array<Record<string, unknown>>) ?? []) {
					record.events.push(event);
					state.activity.push({ user_id: params.userId, ...event });
				}
				if (activity.profile_update !== undefined)
					Object.assign(record.properties, objectBody(activity.profile_update, 'profile_update'));
				return activity.request_id !== undefined ? { request_id: activity.request_id } : true;
			},
		},
	];
};

/**
 * `POST /v1/gdpr/delete` (SOURCES.md: GDPR article): JSON `{"users": [...]}` or a multipart upload of a
 * single-column CSV of user ids smaller than 8 MB. The documentation shows no header for that
 * CSV; the fake takes a first row of `user_id` as a header and every other row as an id.
 * Erasure is applied at once: the users, and their membership of groups and segments.
 */
export function gdprDelete(
	fake: FakeAppcues,
	state: AccountState,
	input: {
		kind: BodyKind | undefined;
		body: unknown;
		parts: MultipartPart[];
		contentType: string;
	},
): DispatchResult {
	let users: string[];
	let via: 'json' | 'csv' = 'json';
	if (input.kind === 'multipart') {
		const file = input.parts.find((part) => part.name === 'file');
		if (!file)
			throw badRequest('the multipart body needs a part named "file" holding a CSV of user ids');
		if (file.data.length >= fake.gdprMaxFileBytes) {
			throw new HttpProblem(
				413,
				'Payload Too Large',
				`the CSV file must be smaller than ${formatBytes(fake.gdprMaxFileBytes)}`,
			);
		}
		users = parseIdColumn(file.data.toString('utf8'), { headerRequired: false });
		via = 'csv';
	} else if (input.kind === 'json' || input.kind === undefined) {
		const list = (input.body as { users?: unknown })?.users;
		if (!Array.isArray(list) || !list.length || list.some((id) => typeof id !== 'string' || !id)) {
			throw badRequest('users must be a non-empty array of user ids');
		}
		users = list as string[];
	} else {
		throw new HttpProblem(
			415,
			'Unsupported Media Type',
			`expected application/json or multipart/form-data, got ${input.contentType}`,
		);
	}
	for (const id of users) {
		state.users.delete(id);
		for (const group of state.groups.values()) group.users.delete(id);
		for (const segment of state.segments.values()) segment.user_ids.delete(id);
	}
	state.gdprDeleted.push(...users);
	state.gdprRequests.push({ users, via, at: new Date().toISOString() });
	return {
		status: 200,
		payload: { ok: true, message: `accepted ${users.length} users for deletion` },
	};
}

/**
 * The v2 user routes (nodes/Appcues/actions/user): profile and events.
 */
import { HttpProblem } from '../problem';
import { ensureUser, isTimestamp, objectBody, type RouteModule } from './route';

export const userRoutes: RouteModule = () => {
	return [
		{
			method: 'GET',
			pattern: ['users', ':userId', 'profile'],
			handle: ({ params, state }) => {
				const record = state.users.get(params.userId);
				if (!record) throw new HttpProblem(404, 'Not Found', `user ${params.userId} not found`);
				return { user_id: params.userId, ...record.properties };
			},
		},
		{
			method: 'PATCH',
			pattern: ['users', ':userId', 'profile'],
			handle: ({ params, state, body }) => {
				Object.assign(
					ensureUser(state, params.userId).properties,
					objectBody(body, 'profile update'),
				);
				return { status: 200 };
			},
		},
		{
			method: 'DELETE',
			pattern: ['users', ':userId', 'profile'],
			handle: ({ params, state, status }) => {
				if (!state.users.delete(params.userId)) {
					throw new HttpProblem(404, 'Not Found', `user ${params.userId} not found`);
				}
				status(204);
			},
		},
		{
			method: 'GET',
			pattern: ['users', ':userId', 'events'],
			handle: ({ params, state, query }) => {
				const events = [...(state.users.get(params.userId)?.events ?? [])].reverse();
				const limit = query.limit ? Number(query.limit) : 100;
				return events.slice(0, limit);
			},
		},
		{
			method: 'POST',
			pattern: ['users', ':userId', 'events'],
			handle: ({ params, state, body }) => {
				const event = objectBody(body, 'event');
				if (typeof event.name !== 'string' || !event.name)
					throw new HttpProblem(400, 'Bad Request', 'name is required');
				if (!isTimestamp(event.timestamp))
					throw new HttpProblem(400, 'Bad Request', 'timestamp must be ISO 8601 or Unix time');
				ensureUser(state, params.userId).events.push(event);
				if (typeof event.group_id === 'string') {
					const group = state.groups.get(event.group_id) ?? {
						properties: {},
						users: new Set<string>(),
					};
					group.users.add(params.userId);
					state.groups.set(event.group_id, group);
				}
				return { status: 200 };
			},
		},
	];
};

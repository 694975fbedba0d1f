/**
 * The group routes (nodes/Appcues/actions/group): profile and adding users.
 */
import { HttpProblem } from '../problem';
import { objectBody, type RouteModule, userIdsBody } from './route';

export const groupRoutes: RouteModule = () => {
	return [
		{
			method: 'GET',
			pattern: ['groups', ':groupId', 'profile'],
			handle: ({ params, state }) => {
				const group = state.groups.get(params.groupId);
				if (!group) throw new HttpProblem(404, 'Not Found', `group ${params.groupId} not found`);
				return { group_id: params.groupId, ...group.properties };
			},
		},
		{
			method: 'PATCH',
			pattern: ['groups', ':groupId', 'profile'],
			handle: ({ params, state, body }) => {
				const group = state.groups.get(params.groupId) ?? {
					properties: {},
					users: new Set<string>(),
				};
				Object.assign(group.properties, objectBody(body, 'group update'));
				state.groups.set(params.groupId, group);
				return { status: 200 };
			},
		},
		{
			method: 'POST',
			pattern: ['groups', ':groupId', 'users'],
			handle: ({ params, state, body, status }) => {
				const ids = userIdsBody(body);
				const group = state.groups.get(params.groupId) ?? {
					properties: {},
					users: new Set<string>(),
				};
				ids.forEach((id) => group.users.add(id));
				state.groups.set(params.groupId, group);
				status(204);
			},
		},
	];
};

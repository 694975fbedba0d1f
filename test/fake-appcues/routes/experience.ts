/**
 * The experience routes (nodes/Appcues/actions/experience): list, get, publish and unpublish, for
 * every experience type.
 */
import { HttpProblem } from '../problem';
import { type AccountState, EXPERIENCE_TYPES } from '../state';
import { now, type Route, type RouteModule } from './route';

export const experienceRoutes: RouteModule = () => {
	const experienceOf = (state: AccountState, type: string, id: string) => {
		const experience = state.experiences.get(type)?.get(id);
		if (!experience) throw new HttpProblem(404, 'Not Found', `${type} ${id} not found`);
		return experience;
	};

	return [
		...EXPERIENCE_TYPES.flatMap((type): Route[] => [
			{
				method: 'GET',
				pattern: [type],
				handle: ({ state }) => [...(state.experiences.get(type)?.values() ?? [])],
			},
			{
				method: 'GET',
				pattern: [type, ':id'],
				handle: ({ params, state }) => experienceOf(state, type, params.id),
			},
			...(['publish', 'unpublish'] as const).map((action): Route => ({
				method: 'POST',
				pattern: [type, ':id', action],
				handle: ({ params, state, body }) => {
					if (body !== '' && body !== undefined)
						throw new HttpProblem(400, 'Bad Request', `${action} takes no body`);
					const experience = experienceOf(state, type, params.id);
					experience.published = action === 'publish';
					experience.updated_at = now();
					return {};
				},
			})),
		]),
	];
};

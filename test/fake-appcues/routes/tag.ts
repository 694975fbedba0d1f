/**
 * The tag routes (nodes/Appcues/actions/tag).
 */
import { HttpProblem } from '../problem';
import type { RouteModule } from './route';

export const tagRoutes: RouteModule = () => {
	return [
		{
			method: 'GET',
			pattern: ['tags'],
			handle: ({ state }) => [...state.tags.values()],
		},
		{
			method: 'GET',
			pattern: ['tags', ':tagId'],
			handle: ({ params, state }) => {
				const tag = state.tags.get(params.tagId);
				if (!tag) throw new HttpProblem(404, 'Not Found', `tag ${params.tagId} not found`);
				return tag;
			},
		},
	];
};

/**
 * The experience routes (nodes/Appcues/actions/experience): list, get, publish and unpublish, for
 * every experience type, and the draft screenshots ZIP of any of them.
 */
import { HttpProblem } from '../problem';
import { type AccountState, EXPERIENCE_TYPES } from '../state';
import { zip } from '../zip';
import { now, RawBody, type Route, type RouteModule } from './route';

/** The experience with this id, whatever its type (the screenshots route takes any). */
export function findExperience(state: AccountState, id: string) {
	for (const byId of state.experiences.values()) {
		const experience = byId.get(id);
		if (experience) return experience;
	}
	return undefined;
}

/** A 1×1 PNG. */
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);

/**
 * The draft screenshots of an experience as a ZIP. Appcues does not document the archive's
 * layout; the fake puts one PNG per step (two when the experience lists no steps).
 */
export function screenshotsZip(experience: Record<string, unknown>): Buffer {
	const steps =
		Array.isArray(experience.steps) && experience.steps.length ? experience.steps : [1, 2];
	return zip(steps.map((_, index) => ({ name: `step-${index + 1}.png`, data: PNG })));
}

export const experienceRoutes: RouteModule = (fake) => {
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
		{
			method: 'GET',
			pattern: ['screenshots', ':id'],
			// One route for every type: the id alone names the experience (CLI screenshots.rs); an
			// unknown id is the CLI's mock 404 "content not found".
			handle: ({ params, state, account, status, setHeader }) => {
				const experience = findExperience(state, params.id);
				if (!experience) throw new HttpProblem(404, 'Not Found', 'content not found');
				if (fake.screenshotDelivery === 'redirect') {
					const { download_url } = fake.mintPresignedUrl(
						account.accountId,
						{ screenshotsOf: params.id },
						'zip',
					);
					status(302);
					setHeader('Location', download_url);
					return undefined;
				}
				return new RawBody(screenshotsZip(experience), 'application/zip');
			},
		},
	];
};

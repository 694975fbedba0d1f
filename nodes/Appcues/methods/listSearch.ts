import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { EXPERIENCE_TYPE_VALUES } from '../actions/experience/experienceType';
import { asList } from '../helpers/results';
import { AppcuesClient } from '../transport/client';
import { path } from '../transport/paths';

/** Appcues lists are not paginated: fetch once, filter by name or id here. */
async function search(
	this: ILoadOptionsFunctions,
	route: string,
	filter: string | undefined,
): Promise<INodeListSearchResult> {
	const client = new AppcuesClient(this);
	const list = asList(await client.request({ method: 'GET', path: route }));
	const needle = (filter ?? '').trim().toLowerCase();
	const results = list
		.map((entry: IDataObject) => {
			const id = String(entry.id ?? '');
			const name = String(entry.name ?? id);
			return { name, value: id };
		})
		.filter((entry) => entry.value !== '')
		.filter(
			(entry) =>
				!needle ||
				entry.name.toLowerCase().includes(needle) ||
				entry.value.toLowerCase().includes(needle),
		)
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}

export async function searchSegments(this: ILoadOptionsFunctions, filter?: string) {
	return await search.call(this, '/segments', filter);
}

export async function searchTags(this: ILoadOptionsFunctions, filter?: string) {
	return await search.call(this, '/tags', filter);
}

export async function searchExperiences(this: ILoadOptionsFunctions, filter?: string) {
	const type = String(this.getCurrentNodeParameter('experienceType') ?? 'flows');
	const route = EXPERIENCE_TYPE_VALUES.includes(type) ? path`/${type}` : '/flows';
	return await search.call(this, route, filter);
}

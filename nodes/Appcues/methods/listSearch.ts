import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { isReadOnly, listToolEntries } from '../actions/accountTool/catalog';
import { EXPERIENCE_TYPE_VALUES } from '../actions/experience/experienceType';
import { scalarText } from '../helpers/input';
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
			// Only text or a number makes an id or a name ("[object Object]" would be sent as an id).
			const id = scalarText(entry.id) ?? '';
			const name = scalarText(entry.name) || id;
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

/**
 * The account tools, each shown by title and name with whether it only reads or changes data (a
 * tool without readOnlyHint counts as changing data); the search matches title, name and
 * description.
 */
export async function searchAccountTools(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const tools = await listToolEntries(new AppcuesClient(this), 'full');
	const needle = (filter ?? '').trim().toLowerCase();
	const results = tools
		.map((tool) => {
			const title = scalarText(tool.annotations?.title) || tool.name;
			const access = isReadOnly(tool) ? 'read-only' : 'changes data';
			return {
				title,
				result: {
					name: `${title} — ${tool.name} (${access})`,
					value: tool.name,
					description: typeof tool.description === 'string' ? tool.description : undefined,
				},
			};
		})
		.filter(
			({ title, result }) =>
				!needle ||
				[title, result.value, result.description ?? ''].some((text) =>
					text.toLowerCase().includes(needle),
				),
		)
		.sort((a, b) => a.title.localeCompare(b.title))
		.map(({ result }) => result);
	return { results };
}

/** The search boxes of the Segment, Experience and Tag locators, called as the editor calls them. */
import { describe, expect, it } from 'vitest';

import { credentialsFor, useFakeAppcues } from '../../../support/helpers';
import { seedSegment } from '../../../support/fixtures';
import { runListSearch, type ListSearchOptions } from '../../../support/run-node';

describe('list search', () => {
	const t = useFakeAppcues();
	const search = (options: Omit<ListSearchOptions, 'credentials'>) =>
		runListSearch({ ...options, credentials: credentialsFor(t.fake) });

	function seedSegments() {
		for (const [id, name] of [
			['seg-3', 'Trial users'],
			['seg-1', 'Churn risk'],
			['seg-2', 'Admins'],
		])
			seedSegment(t, id, name);
	}

	it('searchSegments lists every segment of the fake by name, with its id as the value, in one request', async () => {
		seedSegments();
		const { results } = await search({ method: 'searchSegments' });
		expect(results).toEqual([
			{ name: 'Admins', value: 'seg-2' },
			{ name: 'Churn risk', value: 'seg-1' },
			{ name: 'Trial users', value: 'seg-3' },
		]);
		expect(t.fake.apiRequests().map((request) => [request.method, request.rawPath])).toEqual([
			['GET', '/v2/accounts/12345/segments'],
		]);
	});

	it('the filter matches the name or the id, ignoring case and surrounding spaces', async () => {
		seedSegments();
		expect((await search({ method: 'searchSegments', filter: '  CHURN ' })).results).toEqual([
			{ name: 'Churn risk', value: 'seg-1' },
		]);
		expect((await search({ method: 'searchSegments', filter: 'seg-3' })).results).toEqual([
			{ name: 'Trial users', value: 'seg-3' },
		]);
		expect((await search({ method: 'searchSegments', filter: 'nothing like it' })).results).toEqual(
			[],
		);
	});

	it('searchTags lists the tags; an entry without a name shows its id, one without an id is left out', async () => {
		t.fake.state().tags.set('t1', { id: 't1', name: 'onboarding' });
		t.fake.state().tags.set('t2', { id: 't2' });
		t.fake.state().tags.set('t3', { name: 'no id' });
		const { results } = await search({ method: 'searchTags' });
		expect(results).toEqual([
			{ name: 'onboarding', value: 't1' },
			{ name: 't2', value: 't2' },
		]);
		expect(t.fake.apiRequests()[0].rawPath).toBe('/v2/accounts/12345/tags');
	});

	it('searchExperiences lists the experiences of the chosen Experience Type', async () => {
		t.fake.state().experiences.get('checklists')!.set('c1', { id: 'c1', name: 'Setup' });
		t.fake.state().experiences.get('flows')!.set('f1', { id: 'f1', name: 'Welcome' });
		const { results } = await search({
			method: 'searchExperiences',
			parameters: { experienceType: 'checklists' },
		});
		expect(results).toEqual([{ name: 'Setup', value: 'c1' }]);
		expect(t.fake.apiRequests()[0].rawPath).toBe('/v2/accounts/12345/checklists');
	});

	it('searchExperiences reads flows when no type is set or the type is not one Appcues has', async () => {
		t.fake.state().experiences.get('flows')!.set('f1', { id: 'f1', name: 'Welcome' });
		for (const parameters of [{}, { experienceType: '../segments' }]) {
			const { results } = await search({ method: 'searchExperiences', parameters });
			expect(results).toEqual([{ name: 'Welcome', value: 'f1' }]);
		}
		expect(t.fake.apiRequests().map((request) => request.rawPath)).toEqual([
			'/v2/accounts/12345/flows',
			'/v2/accounts/12345/flows',
		]);
	});

	it('refused credentials are an error with the credential hint, and nothing is listed', async () => {
		await expect(
			runListSearch({
				method: 'searchSegments',
				credentials: { ...credentialsFor(t.fake), apiSecret: 'wrong' },
			}),
		).rejects.toThrow(
			'Appcues refused the credentials (401 Unauthorized): check the API key, secret, account ID and region',
		);
	});

	it('a server error is an error with its status, and one request (a 500 is not retried)', async () => {
		t.fake.addFault({ kind: 'status', status: 500, times: Infinity });
		await expect(search({ method: 'searchTags' })).rejects.toThrow(
			'Appcues API error 500: Internal Server Error: injected fault',
		);
		expect(t.fake.apiRequests()).toHaveLength(1);
	});

	it('searchAccountTools shows each tool by title and name with whether it only reads; the filter also matches descriptions', async () => {
		const { results } = await search({ method: 'searchAccountTools' });
		expect(results).toEqual([
			{
				name: 'Create Campaign — create_campaign (changes data)',
				value: 'create_campaign',
				description: 'Create a draft campaign for an objective',
			},
			{
				name: 'Get Campaign — get_campaign (read-only)',
				value: 'get_campaign',
				description: "One campaign's brief: name, status and objective",
			},
			{
				name: 'Get Experience Screenshot — get_experience_screenshot (read-only)',
				value: 'get_experience_screenshot',
				description: "A screenshot of an experience's first step",
			},
			{
				name: 'List Campaigns — list_campaigns (read-only)',
				value: 'list_campaigns',
				description: 'List the campaigns in the account with their status',
			},
			{
				name: 'List Issue Spikes — list_issue_spikes (read-only)',
				value: 'list_issue_spikes',
				description: 'Experiences whose error rate spiked against their own history',
			},
		]);
		// The full listing: the summary view has no title and no readOnlyHint.
		expect(
			t.fake.requests.map((request) => [request.origin, request.rawPath, request.query]),
		).toEqual([['tools', '/v1/tools', {}]]);
		const spiked = await search({ method: 'searchAccountTools', filter: ' ERROR RATE' });
		expect(spiked.results.map((result) => result.value)).toEqual(['list_issue_spikes']);
		const byName = await search({ method: 'searchAccountTools', filter: 'get_c' });
		expect(byName.results.map((result) => result.value)).toEqual(['get_campaign']);
	});

	it('searchAccountTools with a custom region and no Tools Base URL says which field to fill in', async () => {
		await expect(
			runListSearch({
				method: 'searchAccountTools',
				credentials: { ...credentialsFor(t.fake), toolsBaseUrl: '' },
			}),
		).rejects.toThrow('The Appcues credential has no Tools Base URL');
		expect(t.fake.requests).toHaveLength(0);
	});
});

describe('list search against malformed answers', () => {
	const t = useFakeAppcues();
	const answer = (pathIncludes: string, body: unknown) =>
		t.fake.addFault({
			kind: 'status',
			status: 200,
			pathIncludes,
			times: Infinity,
			body: JSON.stringify(body),
		});

	it('skips entries that are not objects, and ids or names that are not text or a number', async () => {
		answer('segments', [
			null,
			'seg-0',
			{ id: { nested: true }, name: 'Object id' },
			{ id: 7, name: { text: 'x' } },
			{ id: 'seg-1', name: 'Admins' },
		]);
		const { results } = await runListSearch({
			method: 'searchSegments',
			credentials: credentialsFor(t.fake),
		});
		expect(results).toEqual([
			{ name: '7', value: '7' },
			{ name: 'Admins', value: 'seg-1' },
		]);
	});

	it('account tools whose title or description is not text are listed by name, and searchable', async () => {
		answer('v1/tools', {
			tools: [
				{ name: 'get_campaign', description: { text: 'One campaign' }, annotations: { title: 5 } },
				{ name: 'list_flows', annotations: { title: { en: 'Flows' } } },
			],
		});
		const search = async (filter?: string) =>
			(
				await runListSearch({
					method: 'searchAccountTools',
					filter,
					credentials: credentialsFor(t.fake),
				})
			).results;
		expect(await search('nothing matches')).toEqual([]);
		expect((await search()).map((result) => [result.name, result.description])).toEqual([
			['5 — get_campaign (changes data)', undefined],
			['list_flows — list_flows (changes data)', undefined],
		]);
	});
});

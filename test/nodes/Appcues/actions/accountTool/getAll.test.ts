import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('account tool get many', () => {
	const t = useFakeAppcues();

	const requests = () =>
		t.fake.requests.map((request) => [
			request.origin,
			request.method,
			request.rawPath,
			request.query,
		]);

	it('summary (the default): one item per tool with name, description and role, as `appcues tools list`', async () => {
		const result = await t.run({ resource: 'accountTool', operation: 'getAll', returnAll: true });
		expect(result.error).toBeUndefined();
		expect(result.items[0]).toEqual({
			json: {
				name: 'list_campaigns',
				description: 'List the campaigns in the account with their status',
				role: 'account_readonly',
			},
			pairedItem: { item: 0 },
		});
		expect(result.items.map((item) => item.json.name)).toEqual([
			'list_campaigns',
			'get_campaign',
			'create_campaign',
			'list_issue_spikes',
			'get_experience_screenshot',
		]);
		expect(requests()).toEqual([['tools', 'GET', '/v1/tools', { view: 'summary' }]]);
	});

	it('full: the input schema and annotations of each tool, as `appcues tools list --full`; Limit applies', async () => {
		const result = await t.run({
			resource: 'accountTool',
			operation: 'getAll',
			view: 'full',
			returnAll: false,
			limit: 3,
		});
		expect(result.items).toHaveLength(3);
		expect(result.items[2].json).toMatchObject({
			name: 'create_campaign',
			inputSchema: { type: 'object', required: ['name', 'objective_id'] },
			annotations: { title: 'Create Campaign', readOnlyHint: false },
			role: 'account_write',
		});
		// No view parameter at all: that is the full listing.
		expect(requests()).toEqual([['tools', 'GET', '/v1/tools', {}]]);
	});
});

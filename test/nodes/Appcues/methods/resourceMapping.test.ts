/** The fields of Account Tool > Call, built as the editor asks for them. */
import { describe, expect, it } from 'vitest';

import { credentialsFor, useFakeAppcues } from '../../../support/helpers';
import { runResourceMapping } from '../../../support/run-node';

describe('getAccountToolArguments', () => {
	const t = useFakeAppcues();
	const fieldsOf = (value: string) =>
		runResourceMapping({
			method: 'getAccountToolArguments',
			parameters: {
				resource: 'accountTool',
				operation: 'call',
				toolName: { __rl: true, mode: 'list', value },
			},
			credentials: credentialsFor(t.fake),
		});

	it("one field per argument of the chosen tool, from its entry's input schema", async () => {
		const { fields } = await fieldsOf('create_campaign');
		expect(fields.map((field) => [field.id, field.type, field.required])).toEqual([
			['name', 'string', true],
			['objective_id', 'string', true],
			['priority', 'number', false],
			['channel', 'options', false],
			['tags', 'array', false],
		]);
		expect(
			t.fake.requests.map((request) => [request.origin, request.method, request.rawPath]),
		).toEqual([['tools', 'GET', '/v1/tools/create_campaign']]);
	});

	it('a tool without arguments gives no fields and says so; no tool chosen sends nothing', async () => {
		expect(await fieldsOf('list_campaigns')).toEqual({
			fields: [],
			emptyFieldsNotice: 'The account tool list_campaigns takes no arguments',
		});
		t.fake.reset();
		expect(await fieldsOf('')).toEqual({ fields: [], emptyFieldsNotice: 'Choose a tool first' });
		expect(t.fake.requests).toHaveLength(0);
	});
});

describe('getAccountToolArguments against a malformed schema', () => {
	const t = useFakeAppcues();

	it('a property whose schema is null is still a field, typed as text', async () => {
		t.fake.addFault({
			kind: 'status',
			status: 200,
			pathIncludes: 'v1/tools/odd_tool',
			times: Infinity,
			body: JSON.stringify({
				name: 'odd_tool',
				inputSchema: { type: 'object', properties: { a: null, b: { type: 'number' } } },
			}),
		});
		const { fields } = await runResourceMapping({
			method: 'getAccountToolArguments',
			parameters: {
				resource: 'accountTool',
				operation: 'call',
				toolName: { __rl: true, mode: 'name', value: 'odd_tool' },
			},
			credentials: credentialsFor(t.fake),
		});
		expect(fields.map((field) => [field.id, field.displayName, field.type])).toEqual([
			['a', 'a', 'string'],
			['b', 'b', 'number'],
		]);
	});
});

import { describe, expect, it } from 'vitest';

import { credentialsFor, useFakeAppcues } from '../../../support/helpers';
import { describeProblem, readProblem } from '../../../../nodes/Appcues/transport/errors';

describe('authentication errors', () => {
	const t = useFakeAppcues();

	it('a wrong secret says to check key, secret, account ID and region', async () => {
		const credentials = { ...credentialsFor(t.fake), apiSecret: 'wrong' };
		const result = await t.run(
			{ resource: 'tag', operation: 'getAll', returnAll: true },
			{ credentials },
		);
		expect(result.error?.message).toBe(
			'Appcues refused the credentials (401 Unauthorized): check the API key, secret, account ID and region',
		);
		expect(result.error?.description).toContain('invalid API key or secret');
		expect(t.fake.apiRequests()).toHaveLength(1);
	});

	it('a key of another account is a 403 with the same hint', async () => {
		const credentials = { ...credentialsFor(t.fake), accountId: '99999' };
		const result = await t.run(
			{ resource: 'tag', operation: 'getAll', returnAll: true },
			{ credentials },
		);
		expect(result.error?.httpCode).toBe('403');
		expect(result.error?.message).toMatch(/check the API key, secret, account ID and region/);
	});
});

describe('Appcues error bodies', () => {
	const t = useFakeAppcues();

	it("reads the account tools' {error, error_description}, and a bare error code", () => {
		expect(
			readProblem({ error: 'invalid_arguments', error_description: 'name is required' }),
		).toEqual({ title: 'invalid_arguments', detail: 'name is required' });
		expect(readProblem({ error: 'tool_not_found', tool: 'nope' })).toEqual({
			title: undefined,
			detail: 'tool_not_found',
		});
	});

	it('a wrong secret on the account tools is the same credentials error, with their words', async () => {
		const result = await t.run(
			{ resource: 'accountTool', operation: 'getAll', returnAll: true },
			{ credentials: { ...credentialsFor(t.fake), apiSecret: 'wrong' } },
		);
		expect(result.error?.message).toBe(
			'Appcues refused the credentials (401 unauthorized): check the API key, secret, account ID and region',
		);
		expect(result.error?.description).toContain(
			'Appcues said: unauthorized: invalid API key or secret.',
		);
		expect(result.error?.description).toContain('Request: GET /v1/tools');
	});

	it('reads title and detail', () => {
		const problem = readProblem({
			error: true,
			status: 404,
			title: 'Not Found',
			detail: 'flow not found',
		});
		expect(describeProblem(problem)).toBe('Not Found: flow not found');
	});
	it('reads a JSON string body', () => {
		expect(
			describeProblem(readProblem('{"title":"Bad Request","detail":"name is required"}')),
		).toBe('Bad Request: name is required');
	});
	it('shortens a non-JSON body', () => {
		const problem = readProblem(`<html>${'x'.repeat(500)}</html>`);
		expect(problem.raw?.length).toBe(201);
		expect(problem.raw?.endsWith('…')).toBe(true);
	});
	it('handles empty and odd bodies', () => {
		expect(readProblem('')).toEqual({});
		expect(readProblem(undefined)).toEqual({});
		expect(readProblem({ foo: 1 })).toEqual({ raw: '{"foo":1}' });
	});
});

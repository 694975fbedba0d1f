import type { ICredentialDataDecryptedObject, INode, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AppcuesApi } from '../../credentials/AppcuesApi.credentials';
import { DEFAULT_ACCOUNT, FakeAppcues } from '../fake-appcues/server';
import { credentialsFor } from '../helpers';

const credential = new AppcuesApi();
const node: INode = { id: 'n', name: 'n', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };
const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;
const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });

function resolve(value: string, credentials: ICredentialDataDecryptedObject) {
	return String(workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }));
}

/** Runs the credential's `test` request as n8n does: its expressions, its Basic auth, its rules. */
async function testCredential(credentials: ICredentialDataDecryptedObject) {
	const request = credential.test.request;
	const url = resolve(request.baseURL!, credentials) + resolve(request.url!, credentials);
	const auth = credential.authenticate.properties.auth!;
	const user = resolve(auth.username, credentials);
	const password = resolve(auth.password, credentials);
	const response = await fetch(url, {
		method: request.method,
		headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
	});
	const rule = credential.test.rules?.find(
		(candidate) => candidate.type === 'responseCode' && candidate.properties.value === response.status,
	);
	return { url, status: response.status, message: rule ? String(rule.properties.message) : undefined };
}

describe('credential', () => {
	let fake: FakeAppcues;
	beforeEach(async () => {
		fake = new FakeAppcues();
		await fake.start();
	});
	afterEach(async () => fake.close());

	it('test request reads the tags of the account, as Appcues CLI does', async () => {
		const result = await testCredential(credentialsFor(fake));
		expect(result).toEqual({ url: `${fake.url}/v2/accounts/12345/tags`, status: 200, message: undefined });
		expect(fake.apiRequests()[0].headers.authorization).toBe(
			`Basic ${Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString('base64')}`,
		);
	});

	it('a wrong key, a wrong region and a wrong account give different messages', async () => {
		const wrongKey = await testCredential({ ...credentialsFor(fake), apiSecret: 'nope' });
		expect(wrongKey.status).toBe(401);
		expect(wrongKey.message).toMatch(/rejected the API key and secret.*Region matches/);

		// Another region is another server that does not know this key.
		const otherRegion = new FakeAppcues({ accounts: [{ ...DEFAULT_ACCOUNT, apiKey: 'eu-key' }] });
		await otherRegion.start();
		try {
			const wrongRegion = await testCredential(credentialsFor(otherRegion));
			expect(wrongRegion.status).toBe(401);
			expect(wrongRegion.message).toMatch(/US keys do not work on the EU API/);
		} finally {
			await otherRegion.close();
		}

		const wrongAccount = await testCredential({ ...credentialsFor(fake), accountId: '777' });
		expect(wrongAccount.status).toBe(403);
		expect(wrongAccount.message).toMatch(/do not give access to this Account ID/);
	});

	it('builds the US and EU URLs', () => {
		const base = { apiKey: 'k', apiSecret: 's', accountId: ' 42 ' };
		expect(resolve(credential.test.request.baseURL!, { ...base, region: 'us' })).toBe('https://api.appcues.com');
		expect(resolve(credential.test.request.baseURL!, { ...base, region: 'eu' })).toBe('https://api.eu.appcues.com');
		expect(resolve(credential.test.request.url!, { ...base, region: 'eu' })).toBe('/v2/accounts/42/tags');
	});

	it('marks every secret as a password', () => {
		const passwords = credential.properties.filter((p) => p.typeOptions?.password).map((p) => p.name);
		expect(passwords.sort()).toEqual(['apiKey', 'apiSecret', 'legacyApiKey', 'webhookSecret']);
	});
});

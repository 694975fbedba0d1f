import type { INodeParameters } from 'n8n-workflow';
import { describe, expect, it, vi } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../fake-appcues/server';
import { basicAuth, credentialsFor, useFakeAppcues } from '../../../support/helpers';
import { localServer, runAgainstServer, SECRETS } from '../../../support/fixtures';
import { TestCredentialsHelper } from '../../../support/run-node';
import { AppcuesClient, safeMessage } from '../../../../nodes/Appcues/transport/client';

describe('secrets never leak', () => {
	const t = useFakeAppcues();
	const secrets = [
		DEFAULT_ACCOUNT.apiSecret,
		DEFAULT_ACCOUNT.legacyApiKey!,
		Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString('base64'),
	];

	const cases: Array<[string, () => void, INodeParameters]> = [
		[
			'a 401',
			() => t.fake.addFault({ kind: 'status', status: 401, times: Infinity }),
			{ resource: 'tag', operation: 'getAll', returnAll: true },
		],
		[
			'a 500 that echoes nothing',
			() =>
				t.fake.addFault({
					kind: 'status',
					status: 500,
					times: Infinity,
					body: '<html>oops</html>',
				}),
			{ resource: 'tag', operation: 'getAll', returnAll: true, options: { maxRetries: 0 } },
		],
		[
			'a dropped connection',
			() => t.fake.addFault({ kind: 'drop', times: Infinity }),
			{ resource: 'tag', operation: 'getAll', returnAll: true, options: { maxRetries: 1 } },
		],
		[
			'a legacy call rejected',
			() => t.fake.addFault({ kind: 'status', status: 403, times: Infinity }),
			{
				resource: 'user',
				operation: 'trackActivity',
				userId: 'u',
				propertiesInput: 'json',
				propertiesJson: '{"a":1}',
			},
		],
		['a success', () => {}, { resource: 'tag', operation: 'getAll', returnAll: true }],
		[
			'an account tool answering 401',
			() => t.fake.addFault({ kind: 'status', status: 401, times: Infinity }),
			{ resource: 'accountTool', operation: 'getAll', returnAll: true },
		],
		[
			'an account tool call',
			() => {},
			{
				resource: 'accountTool',
				operation: 'call',
				toolName: { __rl: true, mode: 'name', value: 'list_campaigns' },
			},
		],
	];

	it.each(cases)(
		'%s: no secret in the output items or the error',
		async (_label, setup, parameters) => {
			setup();
			for (const continueOnFail of [false, true]) {
				const result = await t.run(parameters, { continueOnFail });
				const everything = JSON.stringify({
					items: result.items,
					error: result.error,
					runError: result.run.data.resultData.error,
					runData: result.run.data.resultData.runData,
				});
				for (const secret of secrets) expect(everything).not.toContain(secret);
			}
		},
	);
});

describe('a server that echoes what it was sent', () => {
	const t = useFakeAppcues();
	// The API key is not a secret; the Basic token is, with or without its padding.
	const secrets = SECRETS.flatMap((secret) => [secret, secret.replace(/=+$/, '')]);

	it.each<[string, (auth: string) => { status: number; type: string; body: string }]>([
		[
			'a 400 detail',
			(auth) => ({
				status: 400,
				type: 'application/json',
				body: JSON.stringify({ title: 'Bad Request', detail: `you sent ${auth}` }),
			}),
		],
		[
			'a 401 title',
			(auth) => ({ status: 401, type: 'application/json', body: JSON.stringify({ title: auth }) }),
		],
		['a 500 page', (auth) => ({ status: 500, type: 'text/html', body: `<p>${auth}</p>` })],
		[
			'a 502 on a POST, the token alone',
			(auth) => ({
				status: 502,
				type: 'text/plain',
				body: auth.slice('Basic '.length).replace(/=+$/, ''),
			}),
		],
		[
			'a 200 page whose content type is the token',
			(auth) => ({
				status: 200,
				type: auth.slice('Basic '.length).replace(/=+$/, ''),
				body: '<p>hi</p>',
			}),
		],
	])('never shows the secret: %s', async (_, answer) => {
		const { result, received } = await runAgainstServer(
			t,
			(req, res) => {
				const sent = answer(String(req.headers.authorization ?? ''));
				res.writeHead(sent.status, { 'Content-Type': sent.type }).end(sent.body);
			},
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'x',
				options: { maxRetries: 0 },
			},
		);
		expect(received).toHaveLength(1);
		expect(result.error).toBeDefined();
		const everything = JSON.stringify({
			error: result.error,
			message: result.error?.message,
			description: result.error?.description,
			run: result.run.data.resultData,
		});
		for (const secret of secrets) expect(everything).not.toContain(secret);
	});
});

describe('an error answer in plain words', () => {
	const t = useFakeAppcues();

	it('keeps its words: "Basic plan" is not a token', async () => {
		t.fake.addFault({
			kind: 'status',
			status: 422,
			body: JSON.stringify({
				title: 'Unprocessable Entity',
				detail: 'Basic plan accounts can have at most 10 segments',
			}),
		});
		const result = await t.run({ resource: 'tag', operation: 'getAll', returnAll: true }, {});
		expect(result.error?.message).toBe(
			'Appcues API error 422: Unprocessable Entity: Basic plan accounts can have at most 10 segments',
		);
	});
});

describe('redirects: credentials never follow one', () => {
	const t = useFakeAppcues();

	it.each([301, 302, 303, 307, 308])(
		'a %i to another host is an error naming it, and that host gets no Authorization',
		async (status) => {
			const otherHost = await localServer((_req, res) =>
				res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]'),
			);
			const redirecting = await localServer((req, res) =>
				res.writeHead(status, { Location: `${otherHost.url}${req.url}?token=abc` }).end(),
			);
			try {
				for (const continueOnFail of [false, true]) {
					const result = await t.run(
						{ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'paid' },
						{
							credentials: { ...credentialsFor(t.fake), baseUrl: redirecting.url },
							continueOnFail,
						},
					);
					const message = `Appcues answered with a redirect (${status}) to ${new URL(otherHost.url).host}; it was not followed, so no credentials were sent there`;
					if (continueOnFail) {
						expect(result.items.map((item) => [item.json.error, item.pairedItem])).toEqual([
							[message, { item: 0 }],
						]);
					} else {
						expect(result.error?.message).toBe(message);
						expect(result.items).toEqual([]);
					}
					const everything = JSON.stringify({
						items: result.items,
						error: result.error,
						runData: result.run.data.resultData.runData,
					});
					for (const secret of [...SECRETS, 'token=abc']) expect(everything).not.toContain(secret);
				}
				expect(redirecting.received).toHaveLength(2);
				expect(redirecting.received[0].headers.authorization).toBe(
					basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret),
				);
				expect(otherHost.received).toEqual([]);
			} finally {
				await otherHost.close();
				await redirecting.close();
			}
		},
	);

	it('a redirect on the same host is not followed either (GET, legacy key)', async () => {
		const redirecting = await localServer((_req, res) =>
			res.writeHead(302, { Location: '/elsewhere' }).end(),
		);
		try {
			const result = await t.run(
				{
					resource: 'user',
					operation: 'trackActivity',
					userId: 'u',
					propertiesInput: 'json',
					propertiesJson: '{"a":1}',
				},
				{ credentials: { ...credentialsFor(t.fake), baseUrl: redirecting.url } },
			);
			expect(result.error?.message).toBe(
				`Appcues answered with a redirect (302) to ${new URL(redirecting.url).host}; it was not followed, so no credentials were sent there`,
			);
			expect(redirecting.received.map((request) => request.url)).not.toContain('/elsewhere');
			expect(redirecting.received).toHaveLength(1);
		} finally {
			await redirecting.close();
		}
	});
});

describe('an answer that is not JSON', () => {
	const t = useFakeAppcues();

	it('a success answered with a web page is an error, never a made-up result, and is not sent again', async () => {
		const site = await localServer((_req, res) =>
			res
				.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
				.end('<!doctype html><title>Welcome to the guest network</title>'),
		);
		try {
			const credentials = { ...credentialsFor(t.fake), baseUrl: site.url };
			const host = new URL(site.url).host;
			const cases: Array<[INodeParameters, string]> = [
				[{ resource: 'user', operation: 'getProfile', userId: 'u1' }, 'GET'],
				[
					{ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'signed_up' },
					'POST',
				],
				[{ resource: 'user', operation: 'deleteProfile', userId: 'u1' }, 'DELETE'],
				[{ resource: 'segment', operation: 'getAll', returnAll: true }, 'GET'],
			];
			for (const [parameters, method] of cases) {
				const result = await t.run(parameters, { credentials });
				expect(result.error?.message, String(parameters.operation)).toBe(
					`${host} answered 200 with text/html, not JSON: that is not the Appcues API answering`,
				);
				expect(result.error?.description).toContain('Check the Region and the Base URL');
				expect(result.error?.description?.includes('whether the change was applied')).toBe(
					method !== 'GET',
				);
				expect(result.items).toEqual([]);
			}
			expect(site.received.map((request) => request.method)).toEqual(
				cases.map(([, method]) => method),
			);
		} finally {
			await site.close();
		}
	});

	it('a page without a content type is one too; an empty answer, plain text or JSON is a success', async () => {
		const getProfile = { resource: 'user', operation: 'getProfile', userId: 'u1' };
		const page = await runAgainstServer(
			t,
			(_req, res) => res.writeHead(200).end('  <html><body>Hi'),
			getProfile,
		);
		expect(page.result.error?.message).toBe(
			`${new URL(page.url).host} answered 200 with no JSON content type, not JSON: that is not the Appcues API answering`,
		);
		const answers = [
			{ type: 'application/vnd.api+json', body: '{"id":"u1","plan":"pro"}' },
			{ type: 'text/plain', body: '' },
			{ type: 'text/plain', body: 'OK' },
		];
		for (const answer of answers) {
			const { result } = await runAgainstServer(
				t,
				(_req, res) => res.writeHead(200, { 'Content-Type': answer.type }).end(answer.body),
				getProfile,
			);
			expect(result.error, answer.type).toBeUndefined();
		}
	});
});

describe('each origin gets the key and secret only in its own form', () => {
	const t = useFakeAppcues();
	const toolsKey = Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString(
		'base64',
	);

	it('the API gets Basic auth and never appcues-api-key; the account tools the reverse', async () => {
		const runs = [
			await t.run({ resource: 'tag', operation: 'getAll', returnAll: true }),
			await t.run({ resource: 'accountTool', operation: 'getAll', returnAll: true }),
			await t.run({
				resource: 'accountTool',
				operation: 'call',
				toolName: { __rl: true, mode: 'name', value: 'get_campaign' },
				argumentsInput: 'json',
				argumentsJson: '{"campaign_id": "c1"}',
			}),
		];
		for (const run of runs) expect(run.error).toBeUndefined();
		const seen = t.fake.requests.map((request) => ({
			origin: request.origin,
			authorization: request.headers.authorization,
			key: request.headers['appcues-api-key'],
		}));
		expect(seen).toEqual([
			{
				origin: 'api',
				authorization: basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret),
				key: undefined,
			},
			{ origin: 'tools', authorization: undefined, key: toolsKey },
			{ origin: 'tools', authorization: undefined, key: toolsKey },
			{ origin: 'tools', authorization: undefined, key: toolsKey },
		]);
	});

	it('a redirect from the tools origin is not followed: the other host gets nothing', async () => {
		const otherHost = await localServer((_req, res) =>
			res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"tools": []}'),
		);
		const redirecting = await localServer((req, res) =>
			res.writeHead(307, { Location: `${otherHost.url}${req.url}` }).end(),
		);
		try {
			const result = await t.run(
				{ resource: 'accountTool', operation: 'getAll', returnAll: true },
				{ credentials: { ...credentialsFor(t.fake), toolsBaseUrl: redirecting.url } },
			);
			expect(result.error?.message).toBe(
				`Appcues answered with a redirect (307) to ${new URL(otherHost.url).host}; it was not followed, so no credentials were sent there`,
			);
			expect(redirecting.received.map((request) => request.headers['appcues-api-key'])).toEqual([
				toolsKey,
			]);
			expect(otherHost.received).toEqual([]);
		} finally {
			await otherHost.close();
			await redirecting.close();
		}
	});
});

describe('an unexpected error message', () => {
	it('carries no credential: no Authorization value, no appcues-api-key value, no secret', () => {
		const credentials = { apiKey: 'key-1', apiSecret: 'secret-xyz', legacyApiKey: 'legacy-abc' };
		const token = Buffer.from('key-1:secret-xyz').toString('base64');
		const message = safeMessage(
			new Error(
				`failed: {"appcues-api-key":"${token}"} Authorization: Basic ${token}; appcues-api-key: ${token}; token ${token}; secret-xyz; legacy-abc`,
			),
			credentials,
		);
		for (const secret of [token, 'secret-xyz', 'legacy-abc']) expect(message).not.toContain(secret);
		expect(message).toBe(
			'failed: {"appcues-api-key":"[redacted]"} Authorization: Basic [redacted]; appcues-api-key: [redacted]; token [redacted]; [redacted]; [redacted]',
		);
	});
});

describe('the credential is loaded while the items are read', () => {
	it('a credential that fails to load fails the first request, not the process (no unhandled rejection)', async () => {
		let loads = 0;
		const context = {
			getNode: () => ({ name: 'Appcues', type: 'n8n-nodes-appcues.appcues' }),
			getCredentials: async () => {
				loads++;
				throw new Error('Node does not have any credentials set');
			},
		} as unknown as ConstructorParameters<typeof AppcuesClient>[0];
		const client = new AppcuesClient(context);
		client.prefetchCredentials();
		await new Promise((resolve) => setTimeout(resolve, 10));
		await expect(client.request({ method: 'GET', path: '/tags' })).rejects.toThrow(
			'Node does not have any credentials set',
		);
		expect(loads).toBe(1);
	});
});

describe('the credential is loaded once per run', () => {
	const t = useFakeAppcues();

	it('and handed to n8n with every request, which still signs each', async () => {
		const loads = vi.spyOn(TestCredentialsHelper.prototype, 'getDecrypted');
		let loadCount: number;
		try {
			const result = await t.run(
				{
					resource: 'user',
					operation: 'updateProfile',
					userId: '={{ $json.id }}',
					propertiesInput: 'json',
					propertiesJson: '{"plan": "pro"}',
				},
				{ items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }] },
			);
			expect(result.error).toBeUndefined();
			loadCount = loads.mock.calls.length;
		} finally {
			loads.mockRestore();
		}
		// One load for the run (n8n would otherwise load it again for each of the four requests).
		expect(loadCount).toBe(1);
		expect(t.fake.apiRequests().map((request) => request.headers.authorization)).toEqual(
			Array(4).fill(basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret)),
		);
	});
});

describe('an answer larger than any Appcues gives', () => {
	const t = useFakeAppcues();
	const getProfile = { resource: 'user', operation: 'getProfile', userId: 'u1' };
	const tooLarge = (host: string, status = 200) =>
		`${host} answered ${status} with more than 256 MB, which was not read`;

	it('is cut off at 256 MB while it streams, not held whole', async () => {
		let sent = 0;
		const endless = await runAgainstServer(
			t,
			(_req, res) => {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				const chunk = Buffer.alloc(1 << 20, 0x20);
				const more = () => {
					while (!res.destroyed && sent < 1024 * (1 << 20)) {
						sent += chunk.length;
						if (!res.write(chunk)) return void res.once('drain', more);
					}
					res.end();
				};
				res.on('close', () => res.destroy());
				more();
			},
			getProfile,
		);
		expect(endless.result.error?.message).toBe(tooLarge(new URL(endless.url).host));
		expect(endless.result.error?.description).toContain('Check the Region and the Base URL');
		// The client stopped reading well before the 1 GB the server would have sent.
		expect(sent).toBeLessThan(400 * (1 << 20));
	});

	it('is refused at once when its declared length is above the limit; a POST says it may have been applied', async () => {
		const trackEvent = {
			resource: 'user',
			operation: 'trackEvent',
			userId: 'u1',
			eventName: 'paid',
		};
		const declared = await runAgainstServer(
			t,
			(_req, res) => {
				res.writeHead(201, {
					'Content-Type': 'application/json',
					'Content-Length': String(257 * (1 << 20)),
				});
				res.write('{"ok":');
			},
			trackEvent,
		);
		expect(declared.result.error?.message).toBe(tooLarge(new URL(declared.url).host, 201));
		expect(declared.result.error?.description).toContain('whether the change was applied');
		expect(declared.received).toHaveLength(1);
	});

	it('nor can answers read at once hold more than 512 MB between them', async () => {
		// Each answer declares 200 MB (under the 256 MB of one answer) and then stalls: two fit in
		// the 512 MB the node's answers share, the third does not and is refused at once, while
		// the first two run into Request Timeout.
		const stalled = await runAgainstServer(
			t,
			(_req, res) => {
				res.writeHead(200, {
					'Content-Type': 'application/json',
					'Content-Length': String(200 * (1 << 20)),
				});
				res.write('{"ok":');
			},
			{ ...getProfile, userId: '={{ $json.id }}', options: { timeoutSeconds: 5, maxRetries: 0 } },
			{ items: [{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }], continueOnFail: true },
		);
		const host = new URL(stalled.url).host;
		expect(stalled.received).toHaveLength(3);
		const errors = stalled.result.items.map((item) => item.json.error);
		expect(errors.filter((error) => String(error).includes('timed out'))).toHaveLength(2);
		expect(errors).toContain(
			`${host} answered 200 while its answers being read at once came to more than 512 MB; this one was not read`,
		);
	});
});

import { createHmac } from 'crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';

import { AppcuesTrigger } from '../../../nodes/AppcuesTrigger/AppcuesTrigger.node';
import { MAX_BODY_ONLY_DIGESTS } from '../../../nodes/AppcuesTrigger/dedupe';
import { fakeWebhook } from '../../support/fake-webhook';
import type { FakeDelivery } from '../../support/fake-webhook';

const SECRET = 'apc_whsec_5b1f0d7e9a2c';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW_S = String(NOW / 1000);

const node = new AppcuesTrigger();

const flowStarted = {
	id: 'evt-1',
	name: 'appcues:flow_started',
	user_id: 'u1',
	attributes: { flowId: 'flow-a' },
};
const flowCompleted = {
	id: 'evt-2',
	name: 'appcues:flow_completed',
	user_id: 'u1',
	attributes: { flowId: 'flow-b' },
};

function sign(
	body: string,
	timestamp = NOW_S,
	form: 'dot' | 'plain' | 'body' = 'dot',
	encoding: 'hex' | 'base64' = 'hex',
	secret = SECRET,
) {
	const message =
		form === 'dot' ? `${timestamp}.${body}` : form === 'plain' ? `${timestamp}${body}` : body;
	return createHmac('sha256', secret).update(message).digest(encoding);
}

function signedDelivery(
	body: string,
	overrides: Partial<FakeDelivery> = {},
	timestamp = NOW_S,
): FakeDelivery {
	return {
		rawBody: Buffer.from(body),
		secret: SECRET,
		...overrides,
		headers: {
			'content-type': 'application/json',
			'x-apc-timestamp': timestamp,
			'x-apc-signature': sign(body, timestamp),
			...overrides.headers,
		},
	};
}

/** Runs the webhook and checks, for every delivery, that the secret leaks nowhere. */
async function deliver(delivery: FakeDelivery) {
	const fake = fakeWebhook(delivery);
	const result: IWebhookResponseData = await node.webhook.call(fake.functions);
	const everything = JSON.stringify({
		result,
		status: fake.res.status.mock.calls,
		sent: fake.res.send.mock.calls,
		logs: Object.values(fake.logger).map((fn) => fn.mock.calls),
		staticData: fake.staticData,
	});
	expect(everything).not.toContain(SECRET);
	return { ...fake, result };
}

function items(result: IWebhookResponseData): IDataObject[] {
	return (result.workflowData?.[0] ?? []).map((item) => item.json);
}

function expectRejected(outcome: Awaited<ReturnType<typeof deliver>>) {
	expect(outcome.result).toEqual({ noWebhookResponse: true });
	expect(outcome.res.status).toHaveBeenCalledWith(401);
	expect(outcome.res.send).toHaveBeenCalledWith('Unauthorized');
	expect(outcome.res.setHeader).toHaveBeenCalledWith('Content-Type', 'text/plain; charset=utf-8');
	expect(outcome.res.end).toHaveBeenCalled();
}

function expectAcknowledgedWithoutRun(outcome: Awaited<ReturnType<typeof deliver>>) {
	expect(outcome.result).toEqual({ noWebhookResponse: true });
	expect(outcome.res.status).toHaveBeenCalledWith(200);
	expect(outcome.res.send).not.toHaveBeenCalled();
	expect(outcome.res.end).toHaveBeenCalled();
}

function expectBadRequest(outcome: Awaited<ReturnType<typeof deliver>>, message: RegExp) {
	expect(outcome.result).toEqual({ noWebhookResponse: true });
	expect(outcome.res.status).toHaveBeenCalledWith(400);
	expect(outcome.res.send).toHaveBeenCalledWith(expect.stringMatching(message));
	expect(outcome.res.send.mock.calls[0][0]).toMatch(/^Bad Request: /);
	expect(outcome.res.setHeader).toHaveBeenCalledWith('Content-Type', 'text/plain; charset=utf-8');
}

beforeEach(() => {
	vi.useFakeTimers({ toFake: ['Date'] });
	vi.setSystemTime(NOW);
});

afterEach(() => {
	vi.useRealTimers();
});

describe('signed deliveries', () => {
	const body = JSON.stringify(flowStarted);

	it('start a run with the event as sent', async () => {
		const outcome = await deliver(signedDelivery(body));
		expect(items(outcome.result)).toEqual([flowStarted]);
		expect(outcome.res.status).not.toHaveBeenCalled();
	});

	it.each([
		['timestamp + body, base64', 'plain', 'base64'],
		['body only, hex', 'body', 'hex'],
		['body only, base64', 'body', 'base64'],
		['timestamp + "." + body, base64', 'dot', 'base64'],
	] as const)('are accepted in the form %s', async (_label, form, encoding) => {
		const outcome = await deliver(
			signedDelivery(body, {
				headers: { 'x-apc-signature': `sha256=${sign(body, NOW_S, form, encoding)}` },
			}),
		);
		expect(items(outcome.result)).toEqual([flowStarted]);
	});

	it('accept millisecond and ISO 8601 timestamps', async () => {
		for (const timestamp of [String(NOW - 5_000), '2026-01-01T11:59:30Z']) {
			const outcome = await deliver(signedDelivery(body, {}, timestamp));
			expect(items(outcome.result), timestamp).toEqual([flowStarted]);
		}
	});

	it('are verified on the raw bytes, whitespace and key order included', async () => {
		const raw = '{\n  "name": "appcues:flow_started",\n  "id": "evt-9"\n}';
		const outcome = await deliver(signedDelivery(raw));
		expect(items(outcome.result)).toEqual([{ name: 'appcues:flow_started', id: 'evt-9' }]);
	});

	it('give one item per event for an array body', async () => {
		const batch = JSON.stringify([flowStarted, flowCompleted]);
		const outcome = await deliver(signedDelivery(batch));
		expect(items(outcome.result)).toEqual([flowStarted, flowCompleted]);
	});

	it('add headers and verified: true when asked', async () => {
		const outcome = await deliver(
			signedDelivery(body, { parameters: { options: { includeHeaders: true } } }),
		);
		const [item] = items(outcome.result);
		expect(item.body).toEqual(flowStarted);
		expect(item.verified).toBe(true);
		expect(item.headers).toMatchObject({
			'x-apc-timestamp': NOW_S,
			'content-type': 'application/json',
		});
	});
});

describe('deliveries that fail the check when a secret is set', () => {
	const body = JSON.stringify(flowStarted);

	it('unsigned: 401 and no run', async () => {
		const outcome = await deliver({
			rawBody: body,
			secret: SECRET,
			headers: { 'content-type': 'application/json' },
		});
		expectRejected(outcome);
	});

	it('missing the timestamp header: 401', async () => {
		const delivery = signedDelivery(body);
		delete delivery.headers?.['x-apc-timestamp'];
		// Even the body-only form, which does not sign the timestamp, needs the header.
		delivery.headers!['x-apc-signature'] = sign(body, NOW_S, 'body');
		expectRejected(await deliver(delivery));
	});

	it('missing the signature header: 401', async () => {
		const delivery = signedDelivery(body);
		delete delivery.headers?.['x-apc-signature'];
		expectRejected(await deliver(delivery));
	});

	it('tampered body: 401', async () => {
		const delivery = signedDelivery(body);
		delivery.rawBody = body.replace('u1', 'u2');
		expectRejected(await deliver(delivery));
	});

	it('changed timestamp: 401', async () => {
		const delivery = signedDelivery(body);
		delivery.headers!['x-apc-timestamp'] = String(NOW / 1000 - 1);
		expectRejected(await deliver(delivery));
	});

	it('signed with another secret: 401', async () => {
		const delivery = signedDelivery(body, { secret: `${SECRET}-rotated` });
		expectRejected(await deliver(delivery));
	});

	it('truncated or same-length-but-wrong signature: 401', async () => {
		const good = sign(body);
		for (const signature of [
			good.slice(0, 63),
			good.slice(0, 32),
			`${good[0] === 'f' ? 'e' : 'f'}${good.slice(1)}`,
		]) {
			expectRejected(
				await deliver(signedDelivery(body, { headers: { 'x-apc-signature': signature } })),
			);
		}
	});

	it('stale or future timestamp: 401, even with a valid signature', async () => {
		for (const timestamp of [
			String(NOW / 1000 - 301),
			String(NOW / 1000 + 301),
			'2026-01-01T11:00:00Z',
		]) {
			expectRejected(await deliver(signedDelivery(body, {}, timestamp)));
		}
	});

	it('an unreadable timestamp: 401', async () => {
		expectRejected(await deliver(signedDelivery(body, {}, 'yesterday')));
	});

	it('accept old timestamps when the replay window is 0', async () => {
		const outcome = await deliver(
			signedDelivery(
				body,
				{ parameters: { options: { replayWindow: 0 } } },
				String(NOW / 1000 - 86_400),
			),
		);
		expect(items(outcome.result)).toEqual([flowStarted]);
	});

	it('honour a custom replay window', async () => {
		const options = { parameters: { options: { replayWindow: 30 } } };
		expectRejected(await deliver(signedDelivery(body, options, String(NOW / 1000 - 31))));
		expect(
			items((await deliver(signedDelivery(body, options, String(NOW / 1000 - 29)))).result),
		).toHaveLength(1);
	});

	it('a pinned format rejects the other forms', async () => {
		const parameters = { options: { signatureFormat: 'timestampDotBodyHex' } };
		expect(items((await deliver(signedDelivery(body, { parameters }))).result)).toHaveLength(1);
		for (const signature of [
			sign(body, NOW_S, 'body'),
			sign(body, NOW_S, 'plain'),
			sign(body, NOW_S, 'dot', 'base64'),
		]) {
			expectRejected(
				await deliver(
					signedDelivery(body, { parameters, headers: { 'x-apc-signature': signature } }),
				),
			);
		}
	});

	it('a header sent twice: 401', async () => {
		const signature = sign(body);
		expectRejected(
			await deliver(
				signedDelivery(body, { headers: { 'x-apc-signature': [signature, signature] } }),
			),
		);
	});

	it('no raw body: 401, never a check of re-serialised JSON', async () => {
		const reserialised = JSON.stringify(flowStarted);
		const outcome = await deliver({
			parsedBody: flowStarted,
			secret: SECRET,
			headers: {
				'content-type': 'application/json',
				'x-apc-timestamp': NOW_S,
				'x-apc-signature': sign(reserialised),
			},
		});
		expectRejected(outcome);
	});

	it('a forged body that is also not JSON: 401, not 400', async () => {
		expectRejected(
			await deliver({
				rawBody: 'not json',
				secret: SECRET,
				headers: { 'content-type': 'application/json' },
			}),
		);
	});

	it('all answer with the same body, naming no part', async () => {
		const outcome = await deliver({
			rawBody: body,
			secret: SECRET,
			headers: { 'content-type': 'application/json' },
		});
		expect(outcome.res.send.mock.calls).toEqual([['Unauthorized']]);
		expect(outcome.logger.error).not.toHaveBeenCalled();
	});
});

describe('deliveries without a secret', () => {
	const body = JSON.stringify(flowStarted);

	it('are accepted with no credential selected', async () => {
		const outcome = await deliver({
			rawBody: body,
			headers: { 'content-type': 'application/json' },
		});
		expect(items(outcome.result)).toEqual([flowStarted]);
	});

	it('are accepted with a credential whose secret is empty, and marked verified: false', async () => {
		const outcome = await deliver({
			rawBody: body,
			secret: '  ',
			headers: { 'content-type': 'application/json', 'x-apc-signature': 'anything' },
			parameters: { options: { includeHeaders: true } },
		});
		expect(items(outcome.result)).toEqual([
			{
				body: flowStarted,
				headers: { 'content-type': 'application/json', 'x-apc-signature': 'anything' },
				verified: false,
			},
		]);
	});

	it('fall back to the body n8n parsed when it kept no raw bytes', async () => {
		const outcome = await deliver({
			parsedBody: [flowStarted, flowCompleted],
			headers: { 'content-type': 'application/json' },
		});
		expect(items(outcome.result)).toEqual([flowStarted, flowCompleted]);
	});

	it('are not subject to the timestamp check', async () => {
		const outcome = await deliver({
			rawBody: body,
			headers: { 'content-type': 'application/json', 'x-apc-timestamp': '1' },
		});
		expect(items(outcome.result)).toHaveLength(1);
	});
});

describe('duplicate deliveries', () => {
	const body = JSON.stringify(flowStarted);

	it('the same event id again: 200 and no run', async () => {
		const staticData: IDataObject = {};
		const first = await deliver(signedDelivery(body, { staticData }));
		expect(items(first.result)).toHaveLength(1);
		// The key keeps the id's field and type; the id is kept until two windows after receipt.
		expect(staticData.seenEventIds).toEqual([['id:"evt-1"', NOW + 600_000]]);

		vi.setSystemTime(NOW + 60_000);
		const retryTimestamp = String(NOW / 1000 + 60);
		const second = await deliver(signedDelivery(body, { staticData }, retryTimestamp));
		expectAcknowledgedWithoutRun(second);
	});

	it('a forged copy does not reach the duplicate check', async () => {
		const staticData: IDataObject = {};
		await deliver({
			rawBody: body,
			secret: SECRET,
			staticData,
			headers: { 'content-type': 'application/json' },
		});
		expect(staticData.seenEventIds).toBeUndefined();
	});

	it('an id is forgotten after two replay windows', async () => {
		const staticData: IDataObject = {};
		await deliver({ rawBody: body, staticData });
		vi.setSystemTime(NOW + 601_000);
		expect(items((await deliver({ rawBody: body, staticData })).result)).toHaveLength(1);
	});

	it('repeats inside one array give one item', async () => {
		const outcome = await deliver({
			rawBody: JSON.stringify([flowStarted, flowStarted, flowCompleted]),
		});
		expect(items(outcome.result)).toEqual([flowStarted, flowCompleted]);
	});

	it('events without an id are never treated as duplicates', async () => {
		const staticData: IDataObject = {};
		const anonymous = JSON.stringify({ name: 'appcues:nps_score', score: 9 });
		await deliver({ rawBody: anonymous, staticData });
		expect(items((await deliver({ rawBody: anonymous, staticData })).result)).toHaveLength(1);
	});

	it('can be turned off', async () => {
		const staticData: IDataObject = {};
		const parameters = { options: { ignoreDuplicates: false } };
		await deliver({ rawBody: body, staticData, parameters });
		expect(items((await deliver({ rawBody: body, staticData, parameters })).result)).toHaveLength(
			1,
		);
		expect(staticData.seenEventIds).toBeUndefined();
	});
});

describe('filters', () => {
	const batch = JSON.stringify([flowStarted, flowCompleted]);

	it('an event type not selected: 200 and no run', async () => {
		const staticData: IDataObject = {};
		const outcome = await deliver({
			rawBody: JSON.stringify(flowStarted),
			staticData,
			parameters: { events: ['appcues:nps_score'] },
		});
		expectAcknowledgedWithoutRun(outcome);
		// A filtered-out event is not remembered, so a later filter change still sees its retry.
		expect(staticData.seenEventIds).toBeUndefined();
	});

	it('keeps only the selected events of an array', async () => {
		const outcome = await deliver({
			rawBody: batch,
			parameters: { events: ['appcues:flow_completed'] },
		});
		expect(items(outcome.result)).toEqual([flowCompleted]);
	});

	it('accepts custom event names', async () => {
		const custom = { id: 'evt-3', event: 'appcues:nps_feedback' };
		const outcome = await deliver({
			rawBody: JSON.stringify([custom, flowStarted]),
			parameters: { events: [], customEvents: 'appcues:nps_feedback' },
		});
		expect(items(outcome.result)).toEqual([custom]);
	});

	it('filters on flow ids', async () => {
		const outcome = await deliver({ rawBody: batch, parameters: { experienceIds: 'flow-b' } });
		expect(items(outcome.result)).toEqual([flowCompleted]);
		expectAcknowledgedWithoutRun(
			await deliver({ rawBody: batch, parameters: { experienceIds: 'flow-z' } }),
		);
	});

	it('checks the signature before filtering', async () => {
		expectRejected(
			await deliver({
				rawBody: batch,
				secret: SECRET,
				parameters: { events: ['appcues:nps_score'] },
			}),
		);
	});
});

describe('bad input', () => {
	it('a body that is not JSON: 400', async () => {
		expectBadRequest(
			await deliver({ rawBody: '{"name": ', headers: { 'content-type': 'application/json' } }),
			/not valid JSON/,
		);
	});

	it('an empty body: 400', async () => {
		expectBadRequest(
			await deliver({ rawBody: '', headers: { 'content-type': 'application/json' } }),
			/empty/,
		);
		expectBadRequest(
			await deliver({ parsedBody: {}, headers: { 'content-type': 'application/json' } }),
			/empty/,
		);
	});

	it('a signed but empty or non-JSON body: 400', async () => {
		expectBadRequest(await deliver(signedDelivery('')), /empty/);
		expectBadRequest(await deliver(signedDelivery('plain text')), /not valid JSON/);
		expectBadRequest(await deliver(signedDelivery('[1,2]')), /not every element/);
	});

	it('a signed body with bytes that are not UTF-8: 400, and two such events are never merged', async () => {
		// {"id":"evt-é",...} with é in Latin-1 (0xE9), then the same with 0xE8: two events.
		const delivery = (byte: number, staticData: IDataObject): FakeDelivery => {
			const rawBody = Buffer.concat([
				Buffer.from('{"id":"evt-'),
				Buffer.from([byte]),
				Buffer.from('","name":"appcues:nps_score"}'),
			]);
			const signature = createHmac('sha256', SECRET)
				.update(Buffer.concat([Buffer.from(`${NOW_S}.`), rawBody]))
				.digest('hex');
			return {
				rawBody,
				secret: SECRET,
				staticData,
				headers: {
					'content-type': 'application/json',
					'x-apc-timestamp': NOW_S,
					'x-apc-signature': signature,
				},
			};
		};
		const staticData: IDataObject = {};
		for (const byte of [0xe9, 0xe8])
			expectBadRequest(await deliver(delivery(byte, staticData)), /not valid UTF-8/);
	});

	it('a wrong content type: 400', async () => {
		for (const type of [
			'text/plain',
			'application/x-www-form-urlencoded',
			'multipart/form-data; boundary=x',
		]) {
			expectBadRequest(
				await deliver({ rawBody: JSON.stringify(flowStarted), headers: { 'content-type': type } }),
				/Content-Type .* is not supported/,
			);
		}
	});

	it('a body over the size limit: 400, before any signature work', async () => {
		const huge = JSON.stringify({ name: 'appcues:flow_started', padding: 'x'.repeat(2048) });
		expectBadRequest(
			await deliver({ rawBody: huge, secret: SECRET, parameters: { options: { maxBodySize: 1 } } }),
			/larger than 1 KB/,
		);
		expect(
			items((await deliver({ rawBody: huge, parameters: { options: { maxBodySize: 0 } } })).result),
		).toHaveLength(1);
	});

	it('never echoes markup from the Content-Type', async () => {
		const outcome = await deliver({
			rawBody: JSON.stringify(flowStarted),
			headers: { 'content-type': 'text/<script>alert(1)</script>' },
		});
		expectBadRequest(outcome, /^Bad Request: Content-Type is not supported/);
		expect(outcome.res.send.mock.calls[0][0]).not.toContain('<');
	});

	it('the default limit is 1 MB', async () => {
		const huge = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
		expectBadRequest(await deliver({ rawBody: huge }), /larger than 1024 KB/);
	});

	it('accepts a missing content type and JSON variants', async () => {
		const variants: Array<Record<string, string>> = [
			{},
			{ 'content-type': 'application/json; charset=utf-8' },
			{ 'content-type': 'application/vnd.appcues+json' },
		];
		for (const headers of variants) {
			expect(
				items((await deliver({ rawBody: JSON.stringify(flowStarted), headers })).result),
			).toHaveLength(1);
		}
	});
});

describe('failures inside n8n', () => {
	it('a credential that cannot be loaded: 500, no run, no pass without a check', async () => {
		const outcome = await deliver({
			rawBody: JSON.stringify(flowStarted),
			credentialError: new Error('Credentials could not be decrypted'),
			headers: { 'content-type': 'application/json' },
		});
		expect(outcome.result).toEqual({ noWebhookResponse: true });
		expect(outcome.res.status).toHaveBeenCalledWith(500);
		expect(outcome.logger.error).toHaveBeenCalled();
	});

	it.each([
		['replayWindow', ''],
		['replayWindow', 'soon'],
		['replayWindow', -1],
		['replayWindow', Number.NaN],
		['maxBodySize', ''],
		['maxBodySize', -5],
	])(
		'an option %s of %j (an expression gone wrong): 500 and no run, never a check turned off',
		async (option, value) => {
			const body = JSON.stringify(flowStarted);
			const stale = String(NOW / 1000 - 3_600);
			const outcome = await deliver(
				signedDelivery(body, { parameters: { options: { [option]: value } } }, stale),
			);
			expect(outcome.result).toEqual({ noWebhookResponse: true });
			expect(outcome.res.status).toHaveBeenCalledWith(500);
			expect(outcome.logger.error).toHaveBeenCalledWith(
				'Appcues Trigger could not handle a delivery',
				{ error: expect.stringMatching(/must be a number of 0 or more/) },
			);
		},
	);

	it('never throws out of webhook()', async () => {
		const fake = fakeWebhook({ rawBody: JSON.stringify(flowStarted) });
		fake.functions.getNodeParameter = () => {
			throw new Error('Could not get parameter');
		};
		await expect(node.webhook.call(fake.functions)).resolves.toEqual({ noWebhookResponse: true });
		expect(fake.res.status).toHaveBeenCalledWith(500);
	});
});

describe('replays', () => {
	const body = JSON.stringify(flowStarted);
	const otherBody = JSON.stringify(flowCompleted);
	const runs = (outcome: Awaited<ReturnType<typeof deliver>>) => items(outcome.result).length;
	const withSignature = (signature: string, timestamp = NOW_S) => ({
		'x-apc-timestamp': timestamp,
		'x-apc-signature': signature,
	});

	describe('Automatic mode pins the first form that verifies', () => {
		it('refuses a valid signature made in any other form afterwards', async () => {
			const staticData: IDataObject = {};
			expect(runs(await deliver(signedDelivery(body, { staticData })))).toBe(1);
			expect(staticData.signatureForm).toEqual({
				content: 'timestampDotBody',
				encoding: 'hex',
				secretFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
			});
			for (const [form, encoding] of [
				['body', 'hex'],
				['plain', 'hex'],
				['dot', 'base64'],
				['body', 'base64'],
			] as const) {
				const headers = withSignature(sign(otherBody, NOW_S, form, encoding));
				expectRejected(await deliver(signedDelivery(otherBody, { staticData, headers })));
			}
			expect(runs(await deliver(signedDelivery(otherBody, { staticData })))).toBe(1);
		});

		it('keeps the pin after a restart (static data) and when n8n lost the static data (memory)', async () => {
			const staticData: IDataObject = {};
			await deliver(signedDelivery(body, { staticData, workflowId: 'wf-pin' }));
			const bodyOnly = withSignature(sign(otherBody, NOW_S, 'body'));
			const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			expectRejected(
				await deliver(
					signedDelivery(otherBody, {
						staticData: saved,
						workflowId: 'wf-pin-restarted',
						headers: bodyOnly,
					}),
				),
			);
			expectRejected(
				await deliver(
					signedDelivery(otherBody, { staticData: {}, workflowId: 'wf-pin', headers: bodyOnly }),
				),
			);
		});

		it('learns again when the secret changes, and stores no secret', async () => {
			const staticData: IDataObject = {};
			await deliver(signedDelivery(body, { staticData }));
			const firstPin = staticData.signatureForm as IDataObject;
			const rotated = `${SECRET}-rotated`;
			const headers = withSignature(sign(otherBody, NOW_S, 'body', 'base64', rotated));
			expect(
				runs(await deliver(signedDelivery(otherBody, { staticData, secret: rotated, headers }))),
			).toBe(1);
			expect(staticData.signatureForm).toEqual({
				content: 'body',
				encoding: 'base64',
				secretFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
			});
			expect((staticData.signatureForm as IDataObject).secretFingerprint).not.toBe(
				firstPin.secretFingerprint,
			);
			expect(JSON.stringify(staticData)).not.toContain('rotated');
		});

		it('is not used when a form is chosen in Signature Format', async () => {
			const staticData: IDataObject = {};
			const parameters = { options: { signatureFormat: 'bodyHex' } };
			const headers = withSignature(sign(body, NOW_S, 'body'));
			expect(runs(await deliver(signedDelivery(body, { staticData, parameters, headers })))).toBe(
				1,
			);
			expect(staticData.signatureForm).toBeUndefined();
		});
	});

	describe('a delivery verified by a body-only signature', () => {
		const bodyOnly = (payload: string, timestamp: string) =>
			withSignature(sign(payload, NOW_S, 'body'), timestamp);

		it('starts no second run when replayed with a fresh timestamp, for 24 hours', async () => {
			const staticData: IDataObject = {};
			expect(
				runs(await deliver(signedDelivery(body, { staticData, headers: bodyOnly(body, NOW_S) }))),
			).toBe(1);
			for (const laterMs of [10 * 60_000, 23 * 3_600_000]) {
				vi.setSystemTime(NOW + laterMs);
				const fresh = String((NOW + laterMs) / 1000);
				expectAcknowledgedWithoutRun(
					await deliver(signedDelivery(body, { staticData, headers: bodyOnly(body, fresh) })),
				);
			}
			// The memory is bounded: after a day the copy is treated as new.
			vi.setSystemTime(NOW + 24 * 3_600_000 + 1_000);
			const dayLater = String((NOW + 24 * 3_600_000 + 1_000) / 1000);
			expect(
				runs(
					await deliver(signedDelivery(body, { staticData, headers: bodyOnly(body, dayLater) })),
				),
			).toBe(1);
		});

		it('starts no second run after a restart, nor when n8n lost the static data', async () => {
			const staticData: IDataObject = {};
			await deliver(
				signedDelivery(body, { staticData, workflowId: 'wf-body', headers: bodyOnly(body, NOW_S) }),
			);
			vi.setSystemTime(NOW + 3_600_000);
			const fresh = String((NOW + 3_600_000) / 1000);
			const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			expectAcknowledgedWithoutRun(
				await deliver(
					signedDelivery(body, {
						staticData: saved,
						workflowId: 'wf-body-restarted',
						headers: bodyOnly(body, fresh),
					}),
				),
			);
			expectAcknowledgedWithoutRun(
				await deliver(
					signedDelivery(body, {
						staticData: {},
						workflowId: 'wf-body',
						headers: bodyOnly(body, fresh),
					}),
				),
			);
		});

		it('stays refused for 24 hours after 10,000 further deliveries', async () => {
			const staticData: IDataObject = {};
			const captured = JSON.stringify({ name: 'appcues:nps_score', score: 9 });
			expect(
				runs(
					await deliver(
						signedDelivery(captured, { staticData, headers: bodyOnly(captured, NOW_S) }),
					),
				),
			).toBe(1);
			// What 10,000 further body-only deliveries leave in static data: digests expiring later.
			staticData.seenEventIds = [
				...(staticData.seenEventIds as unknown[]),
				...Array.from({ length: MAX_BODY_ONLY_DIGESTS }, (_, i) => [
					`body:${String(i).padStart(32, '0')}`,
					NOW + 24 * 3_600_000 + 1_000 + i,
				]),
			];
			vi.setSystemTime(NOW + 3_600_000);
			const fresh = String((NOW + 3_600_000) / 1000);
			expectAcknowledgedWithoutRun(
				await deliver(signedDelivery(captured, { staticData, headers: bodyOnly(captured, fresh) })),
			);
		});

		it('answers 429 with a plain reason when its memory is full', async () => {
			const staticData: IDataObject = {
				'node:Appcues Trigger': {},
				seenEventIds: Array.from({ length: MAX_BODY_ONLY_DIGESTS }, (_, i) => [
					`body:${String(i).padStart(32, '0')}`,
					NOW + 3_600_000,
				]),
			};
			const payload = JSON.stringify({ name: 'appcues:nps_score', score: 3 });
			const outcome = await deliver(
				signedDelivery(payload, { staticData, headers: bodyOnly(payload, NOW_S) }),
			);
			expect(outcome.result).toEqual({ noWebhookResponse: true });
			expect(outcome.res.status).toHaveBeenCalledWith(429);
			expect(outcome.res.send).toHaveBeenCalledWith(
				expect.stringMatching(/^Too Many Requests: 10000 deliveries signed over the body only/),
			);
			// Once they have expired, it is taken.
			vi.setSystemTime(NOW + 3_600_001);
			const fresh = String((NOW + 3_600_001) / 1000);
			expect(
				runs(
					await deliver(signedDelivery(payload, { staticData, headers: bodyOnly(payload, fresh) })),
				),
			).toBe(1);
		});

		it("applies the replay window to the events' own timestamps, even after memory is gone", async () => {
			const timed = JSON.stringify({ ...flowStarted, timestamp: NOW / 1000 });
			const staticData: IDataObject = {};
			expect(
				runs(await deliver(signedDelivery(timed, { staticData, headers: bodyOnly(timed, NOW_S) }))),
			).toBe(1);
			// Remembered only while the event's time is inside the window (two windows from receipt).
			const stored = staticData.seenEventIds as Array<[string, number]>;
			expect(stored.find(([key]) => key.startsWith('body:'))?.[1]).toBe(NOW + 600_000);
			// A copy an hour later, with a fresh timestamp header, in a process that forgot it: 401.
			vi.setSystemTime(NOW + 3_600_000);
			const fresh = String((NOW + 3_600_000) / 1000);
			expectRejected(
				await deliver(
					signedDelivery(timed, {
						staticData: {},
						workflowId: 'wf-forgot',
						headers: bodyOnly(timed, fresh),
					}),
				),
			);
			// An event stamped now passes.
			const now = JSON.stringify({ ...flowCompleted, timestamp: (NOW + 3_600_000) / 1000 });
			expect(
				runs(await deliver(signedDelivery(now, { staticData: {}, headers: bodyOnly(now, fresh) }))),
			).toBe(1);
		});

		it('is refused even with Ignore Duplicate Deliveries off, and without an event id', async () => {
			const staticData: IDataObject = {};
			const parameters = { options: { ignoreDuplicates: false } };
			const anonymous = JSON.stringify({ name: 'appcues:nps_score', score: 9 });
			expect(
				runs(
					await deliver(
						signedDelivery(anonymous, {
							staticData,
							parameters,
							headers: bodyOnly(anonymous, NOW_S),
						}),
					),
				),
			).toBe(1);
			vi.setSystemTime(NOW + 3_600_000);
			const fresh = String((NOW + 3_600_000) / 1000);
			expectAcknowledgedWithoutRun(
				await deliver(
					signedDelivery(anonymous, {
						staticData,
						parameters,
						headers: bodyOnly(anonymous, fresh),
					}),
				),
			);
		});
	});

	it('a signed delivery without an event id: its copy starts no run, a new delivery of the same body does', async () => {
		const staticData: IDataObject = {};
		const anonymous = JSON.stringify({ name: 'appcues:nps_score', score: 9 });
		const first = signedDelivery(anonymous, { staticData });
		expect(runs(await deliver(first))).toBe(1);
		vi.setSystemTime(NOW + 60_000);
		expectAcknowledgedWithoutRun(await deliver({ ...first, headers: { ...first.headers } }));
		expect(
			runs(await deliver(signedDelivery(anonymous, { staticData }, String(NOW / 1000 + 60)))),
		).toBe(1);
	});

	it('an id stamped up to a window ahead is remembered until its timestamp plus the window', async () => {
		const staticData: IDataObject = {};
		const ahead = String(NOW / 1000 + 290);
		expect(runs(await deliver(signedDelivery(body, { staticData }, ahead)))).toBe(1);
		// At t = 310 s the timestamp is 20 s old, well inside the window.
		vi.setSystemTime(NOW + 310_000);
		expectAcknowledgedWithoutRun(await deliver(signedDelivery(body, { staticData }, ahead)));
		const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
		expectAcknowledgedWithoutRun(
			await deliver(
				signedDelivery(body, { staticData: saved, workflowId: 'wf-ahead-restarted' }, ahead),
			),
		);
	});

	it('keeps the type and field of an id: {"id":1}, {"id":"1"} and {"event_id":"1"} are three events', async () => {
		const staticData: IDataObject = {};
		const bodies = [{ id: 1 }, { id: '1' }, { event_id: '1' }].map((event) =>
			JSON.stringify({ ...event, name: 'appcues:nps_score' }),
		);
		for (const payload of bodies)
			expect(runs(await deliver({ rawBody: payload, staticData })), payload).toBe(1);
		for (const payload of bodies)
			expectAcknowledgedWithoutRun(await deliver({ rawBody: payload, staticData }));
		expect((staticData.seenEventIds as unknown[][]).map(([key]) => key)).toEqual([
			'id:1',
			'id:"1"',
			'event_id:"1"',
		]);
	});

	it('keeps distinct large numeric ids apart: 9007199254740993 and 9007199254740992 are two events', async () => {
		const staticData: IDataObject = {};
		const bodies = ['9007199254740993', '9007199254740992'].map(
			(id) => `{"id":${id},"name":"appcues:nps_score"}`,
		);
		for (const payload of bodies)
			expect(runs(await deliver({ rawBody: payload, staticData })), payload).toBe(1);
		for (const payload of bodies)
			expectAcknowledgedWithoutRun(await deliver({ rawBody: payload, staticData }));
		expect((staticData.seenEventIds as unknown[][]).map(([key]) => key)).toEqual([
			'id:9007199254740993',
			'id:9007199254740992',
		]);
	});

	it('one body of 1,001 events pushes none of them out', async () => {
		const staticData: IDataObject = {};
		const events = Array.from({ length: 1_001 }, (_, i) => ({
			id: `evt-${i}`,
			name: 'appcues:nps_score',
		}));
		expect(runs(await deliver({ rawBody: JSON.stringify(events), staticData }))).toBe(1_001);
		expectAcknowledgedWithoutRun(await deliver({ rawBody: JSON.stringify(events[0]), staticData }));
		const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
		expectAcknowledgedWithoutRun(
			await deliver({
				rawBody: JSON.stringify(events[0]),
				staticData: saved,
				workflowId: 'wf-1001-restarted',
			}),
		);
	});

	it('remembers every event when n8n saves only the first change of static data (n8n 2.41)', async () => {
		const firstSave: IDataObject = {};
		const x = JSON.stringify({ id: 'evt-x', name: 'appcues:nps_score' });
		const y = JSON.stringify({ id: 'evt-y', name: 'appcues:nps_score' });
		let started = runs(
			await deliver(signedDelivery(x, { staticData: firstSave, workflowId: 'wf-241' })),
		);
		for (let i = 0; i < 3; i++) {
			// Every later request reads what the first one saved: nothing after it reached the database.
			const loaded = JSON.parse(JSON.stringify(firstSave)) as IDataObject;
			started += runs(
				await deliver(signedDelivery(y, { staticData: loaded, workflowId: 'wf-241' })),
			);
		}
		expect(started).toBe(2);
	});

	it('50 deliveries at once, then the same 50 again one by one: no second run', async () => {
		const bodies = Array.from({ length: 50 }, (_, i) =>
			JSON.stringify({ id: `evt-burst-${i}`, name: 'appcues:nps_score' }),
		);
		// Each request reads static data before any of them is saved, and saves its own copy.
		const copies = bodies.map(() => ({}) as IDataObject);
		const first = await Promise.all(
			bodies.map((payload, i) =>
				deliver(signedDelivery(payload, { staticData: copies[i], workflowId: 'wf-burst' })),
			),
		);
		expect(first.map(runs).reduce((a, b) => a + b)).toBe(50);
		const lastSaved = copies[copies.length - 1];
		let replayed = 0;
		for (const payload of bodies) {
			const loaded = JSON.parse(JSON.stringify(lastSaved)) as IDataObject;
			replayed += runs(
				await deliver(signedDelivery(payload, { staticData: loaded, workflowId: 'wf-burst' })),
			);
		}
		expect(replayed).toBe(0);
	});

	it('says which form verified the delivery, with Include Headers', async () => {
		const parameters = { options: { includeHeaders: true } };
		const hex = await deliver(signedDelivery(body, { parameters }));
		expect(items(hex.result)[0]).toMatchObject({
			verified: true,
			signatureForm: 'timestampDotBodyHex',
		});
		const headers = withSignature(`sha256=${sign(body, NOW_S, 'body', 'base64')}`);
		const base64 = await deliver(signedDelivery(body, { parameters, headers }));
		expect(items(base64.result)[0]).toMatchObject({ verified: true, signatureForm: 'bodyBase64' });
	});
});

import { createHmac } from 'crypto';
import { describe, expect, it } from 'vitest';

import {
	PINNED_FORMATS,
	decodeSignature,
	isSignatureValid,
} from '../../../nodes/AppcuesTrigger/signature';
import type { SignatureFormat } from '../../../nodes/AppcuesTrigger/signature';

const SECRET = 'whsec_test_7f3a9c1e';
const TIMESTAMP = '1767225600';
const BODY = Buffer.from(
	'{"id":"evt_1","name":"appcues:flow_started","attributes":{"flowId":"f-1"}}',
);

/** Independent of the module under test: the vectors are computed here. */
function sign(message: string | Buffer, encoding: 'hex' | 'base64', secret = SECRET): string {
	return createHmac('sha256', secret).update(message).digest(encoding);
}

const messages = {
	timestampDotBody: Buffer.concat([Buffer.from(`${TIMESTAMP}.`), BODY]),
	timestampBody: Buffer.concat([Buffer.from(TIMESTAMP), BODY]),
	body: BODY,
};

const forms = Object.entries(PINNED_FORMATS) as Array<
	[Exclude<SignatureFormat, 'auto'>, { content: keyof typeof messages; encoding: 'hex' | 'base64' }]
>;

function check(
	signature: string,
	format: SignatureFormat = 'auto',
	overrides: Partial<{ rawBody: Buffer; timestamp: string; secret: string }> = {},
) {
	return isSignatureValid({
		secret: overrides.secret ?? SECRET,
		rawBody: overrides.rawBody ?? BODY,
		timestamp: overrides.timestamp ?? TIMESTAMP,
		signature,
		format,
	});
}

describe('isSignatureValid', () => {
	it('covers exactly six pinned forms', () => {
		expect(forms).toHaveLength(6);
	});

	describe.each(forms)('form %s', (format, { content, encoding }) => {
		const signature = sign(messages[content], encoding);

		it('is accepted by Automatic', () => {
			expect(check(signature)).toBe(true);
		});

		it('is accepted with a sha256= prefix', () => {
			expect(check(`sha256=${signature}`)).toBe(true);
			expect(check(`SHA256=${signature}`, format)).toBe(true);
		});

		it('is accepted when pinned', () => {
			expect(check(signature, format)).toBe(true);
		});

		it('is rejected by every other pinned format', () => {
			for (const [other] of forms) {
				if (other !== format) expect(check(signature, other)).toBe(false);
			}
		});

		it('is rejected when one byte of the body changes', () => {
			const tampered = Buffer.from(BODY);
			tampered[10] = tampered[10] ^ 1;
			expect(check(signature, 'auto', { rawBody: tampered })).toBe(false);
		});

		it('is rejected with a wrong secret', () => {
			expect(check(signature, 'auto', { secret: `${SECRET}x` })).toBe(false);
		});

		it('is rejected when truncated', () => {
			// Dropping only base64 padding is not truncation: unpadded base64 is accepted on purpose.
			expect(check(signature.replace(/=+$/, '').slice(0, -1))).toBe(false);
			expect(check(signature.slice(0, signature.length / 2))).toBe(false);
		});
	});

	it('rejects a changed timestamp for the forms that sign it', () => {
		const dot = sign(messages.timestampDotBody, 'hex');
		const plain = sign(messages.timestampBody, 'base64');
		expect(check(dot, 'auto', { timestamp: '1767225601' })).toBe(false);
		expect(check(plain, 'auto', { timestamp: '1767225601' })).toBe(false);
	});

	it('accepts upper-case hex', () => {
		expect(check(sign(messages.timestampDotBody, 'hex').toUpperCase())).toBe(true);
	});

	it('accepts unpadded base64', () => {
		expect(check(sign(messages.body, 'base64').replace(/=+$/, ''))).toBe(true);
	});

	it('rejects a signature of the right length that is wrong', () => {
		const good = sign(messages.timestampDotBody, 'hex');
		const flipped = (good[0] === 'a' ? 'b' : 'a') + good.slice(1);
		expect(flipped).toHaveLength(good.length);
		expect(check(flipped)).toBe(false);
		expect(check('0'.repeat(64))).toBe(false);
		expect(check('A'.repeat(43) + '=')).toBe(false);
	});

	it('rejects a signature made over a re-serialised body', () => {
		const reserialised = JSON.stringify(JSON.parse(BODY.toString()), null, 2);
		expect(check(sign(`${TIMESTAMP}.${reserialised}`, 'hex'))).toBe(false);
	});

	it('rejects an empty signature, an empty secret, and garbage', () => {
		expect(check('')).toBe(false);
		expect(check('sha256=')).toBe(false);
		expect(check(sign(messages.body, 'hex'), 'auto', { secret: '' })).toBe(false);
		expect(check('not a signature')).toBe(false);
		expect(check(`${sign(messages.body, 'hex')}00`)).toBe(false);
		expect(check(`${sign(messages.body, 'hex')},${sign(messages.body, 'hex')}`)).toBe(false);
	});

	it('does not confuse hex with base64 when pinned', () => {
		const hex = sign(messages.body, 'hex');
		expect(check(hex, 'bodyBase64')).toBe(false);
		expect(check(sign(messages.body, 'base64'), 'bodyHex')).toBe(false);
	});
});

describe('decodeSignature', () => {
	it('returns the 32 digest bytes for hex and base64', () => {
		const digest = createHmac('sha256', SECRET).update(BODY).digest();
		expect(decodeSignature(digest.toString('hex'), ['hex'])).toEqual(digest);
		expect(decodeSignature(` sha256=${digest.toString('base64')} `, ['base64'])).toEqual(digest);
	});

	it('refuses anything that is not one whole digest', () => {
		expect(decodeSignature('abcd', ['hex', 'base64'])).toBeUndefined();
		expect(decodeSignature('g'.repeat(64), ['hex', 'base64'])).toBeUndefined();
		expect(decodeSignature('a'.repeat(64), ['base64'])).toBeUndefined();
	});
});

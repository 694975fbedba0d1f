import { createHmac, timingSafeEqual } from 'crypto';

/**
 * What the HMAC covers. Appcues has not published the exact signed string, so every form a sender
 * could plausibly use is supported, and "auto" accepts any of them (and nothing else).
 */
export type SignedContent = 'timestampDotBody' | 'timestampBody' | 'body';

export type DigestEncoding = 'hex' | 'base64';

interface PinnedFormat {
	content: SignedContent;
	encoding: DigestEncoding;
}

/** The values of the "Signature Format" option, other than "auto". */
export const PINNED_FORMATS = {
	timestampDotBodyHex: { content: 'timestampDotBody', encoding: 'hex' },
	timestampDotBodyBase64: { content: 'timestampDotBody', encoding: 'base64' },
	timestampBodyHex: { content: 'timestampBody', encoding: 'hex' },
	timestampBodyBase64: { content: 'timestampBody', encoding: 'base64' },
	bodyHex: { content: 'body', encoding: 'hex' },
	bodyBase64: { content: 'body', encoding: 'base64' },
} as const satisfies Record<string, PinnedFormat>;

export type SignatureFormat = 'auto' | keyof typeof PINNED_FORMATS;

const ALL_CONTENTS: SignedContent[] = ['timestampDotBody', 'timestampBody', 'body'];
const ALL_ENCODINGS: DigestEncoding[] = ['hex', 'base64'];

export function isSignatureFormat(value: unknown): value is SignatureFormat {
	return value === 'auto' || (typeof value === 'string' && Object.hasOwn(PINNED_FORMATS, value));
}

/** An HMAC-SHA256 digest is 32 bytes: 64 hex digits, or 44 base64 characters (43 unpadded). */
const DIGEST_BYTES = 32;
const HEX_DIGEST = /^[0-9a-f]{64}$/i;
const BASE64_DIGEST = /^[A-Za-z0-9+/]{43}=?$/;
const PREFIX = /^sha256=/i;

/**
 * Turns the header value into digest bytes, accepting only the allowed encodings; anything that is
 * not exactly one well-formed SHA-256 digest (a truncated one included) gives undefined.
 */
export function decodeSignature(header: string, encodings: DigestEncoding[]): Buffer | undefined {
	const value = header.trim().replace(PREFIX, '');
	if (encodings.includes('hex') && HEX_DIGEST.test(value)) return Buffer.from(value, 'hex');
	if (encodings.includes('base64') && BASE64_DIGEST.test(value)) {
		const bytes = Buffer.from(value, 'base64');
		return bytes.length === DIGEST_BYTES ? bytes : undefined;
	}
	return undefined;
}

/** The exact bytes a sender signs for each form; the body is always the raw request bytes. */
export function signedBytes(content: SignedContent, timestamp: string, rawBody: Buffer): Buffer {
	if (content === 'body') return rawBody;
	const head = content === 'timestampDotBody' ? `${timestamp}.` : timestamp;
	return Buffer.concat([Buffer.from(head, 'utf8'), rawBody]);
}

export function computeSignature(
	secret: string,
	content: SignedContent,
	timestamp: string,
	rawBody: Buffer,
): Buffer {
	return createHmac('sha256', secret).update(signedBytes(content, timestamp, rawBody)).digest();
}

export interface SignatureCheck {
	secret: string;
	rawBody: Buffer;
	/** X-Apc-Timestamp exactly as received. */
	timestamp: string;
	/** X-Apc-Signature exactly as received. */
	signature: string;
	format: SignatureFormat;
}

/** Never throws: a malformed header is simply not a valid signature. */
export function isSignatureValid(check: SignatureCheck): boolean {
	if (!check.secret || !check.signature) return false;
	const pinned = check.format === 'auto' ? undefined : PINNED_FORMATS[check.format];
	const actual = decodeSignature(check.signature, pinned ? [pinned.encoding] : ALL_ENCODINGS);
	if (!actual) return false;

	let matched = false;
	// Every candidate is computed and compared, so the time taken does not depend on which one matched.
	for (const content of pinned ? [pinned.content] : ALL_CONTENTS) {
		const expected = computeSignature(check.secret, content, check.timestamp, check.rawBody);
		if (actual.length === expected.length && timingSafeEqual(actual, expected)) matched = true;
	}
	return matched;
}

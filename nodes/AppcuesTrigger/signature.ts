import { createHmac, timingSafeEqual } from 'crypto';

/**
 * What the HMAC covers. Appcues has not published the exact signed string, so every form a sender
 * could plausibly use is supported, and "auto" accepts any of them (and nothing else).
 */
export type SignedContent = 'timestampDotBody' | 'timestampBody' | 'body';

export type DigestEncoding = 'hex' | 'base64';

/** One way of signing: what the HMAC covers and how the digest is written. */
export interface SignatureForm {
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
} as const satisfies Record<string, SignatureForm>;

export type SignatureFormName = keyof typeof PINNED_FORMATS;

export type SignatureFormat = 'auto' | SignatureFormName;

const ALL_CONTENTS: SignedContent[] = ['timestampDotBody', 'timestampBody', 'body'];
const ALL_ENCODINGS: DigestEncoding[] = ['hex', 'base64'];

export function isSignatureFormat(value: unknown): value is SignatureFormat {
	return value === 'auto' || (typeof value === 'string' && Object.hasOwn(PINNED_FORMATS, value));
}

/** The Signature Format value of a form, as shown in the output and accepted by the option. */
export function signatureFormName(form: SignatureForm): SignatureFormName {
	const names = Object.keys(PINNED_FORMATS) as SignatureFormName[];
	return names.find(
		(name) =>
			PINNED_FORMATS[name].content === form.content &&
			PINNED_FORMATS[name].encoding === form.encoding,
	)!;
}

/**
 * Whether a form authenticates X-Apc-Timestamp; with one that does not, only the body is signed.
 */
export function signsTimestamp(form: SignatureForm): boolean {
	return form.content !== 'body';
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
	return decodeDigest(header, encodings)?.bytes;
}

/** As decodeSignature, also saying which encoding it was (a digest can only be read one way). */
function decodeDigest(
	header: string,
	encodings: DigestEncoding[],
): { bytes: Buffer; encoding: DigestEncoding } | undefined {
	const value = header.trim().replace(PREFIX, '');
	if (encodings.includes('hex') && HEX_DIGEST.test(value)) {
		return { bytes: Buffer.from(value, 'hex'), encoding: 'hex' };
	}
	if (encodings.includes('base64') && BASE64_DIGEST.test(value)) {
		const bytes = Buffer.from(value, 'base64');
		return bytes.length === DIGEST_BYTES ? { bytes, encoding: 'base64' } : undefined;
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
	return createHmac('sha256', secret)
		.update(signedBytes(content, timestamp, rawBody))
		.digest();
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

/** A signature that verified: the form it was made in and its digest bytes. */
export interface VerifiedSignature {
	form: SignatureForm;
	digest: Buffer;
}

/**
 * Checks the signature against one form (`only`) or, when `only` is undefined, every form, and
 * says which form matched. Never throws: a malformed header is simply not a valid signature.
 */
export function verifySignature(
	check: Omit<SignatureCheck, 'format'>,
	only: SignatureForm | undefined,
): VerifiedSignature | undefined {
	if (!check.secret || !check.signature) return undefined;
	const decoded = decodeDigest(check.signature, only ? [only.encoding] : ALL_ENCODINGS);
	if (!decoded) return undefined;

	let matched: SignedContent | undefined;
	// Every candidate is computed and compared, so the time taken
	// does not depend on which one matched.
	for (const content of only ? [only.content] : ALL_CONTENTS) {
		const expected = computeSignature(check.secret, content, check.timestamp, check.rawBody);
		if (decoded.bytes.length === expected.length && timingSafeEqual(decoded.bytes, expected)) {
			matched ??= content;
		}
	}
	if (matched === undefined) return undefined;
	return { form: { content: matched, encoding: decoded.encoding }, digest: decoded.bytes };
}

/** Never throws: a malformed header is simply not a valid signature. */
export function isSignatureValid(check: SignatureCheck): boolean {
	const only = check.format === 'auto' ? undefined : PINNED_FORMATS[check.format];
	return verifySignature(check, only) !== undefined;
}

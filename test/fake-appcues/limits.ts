/**
 * Body size limits, enforced in front of the API as a proxy would (before auth, faults and
 * latency): a body above its limit is answered 413 without being buffered. File uploads have
 * their own, larger limit, and the GDPR CSV upload its documented smaller one.
 */
import type { IncomingMessage } from 'node:http';

import { formatBytes, HttpProblem } from './problem';

/**
 * Appcues writes "20MB", "200MB" and "< 8 MB" without saying which megabyte; the fake takes the
 * smaller, decimal reading (1 MB = 1,000,000 bytes), so a client that fits the fake fits Appcues.
 */
export const DEFAULT_MAX_BODY_BYTES = 20_000_000;
export const DEFAULT_MAX_FILE_BYTES = 200_000_000;
export const DEFAULT_GDPR_MAX_FILE_BYTES = 8_000_000;
/** Room for the multipart envelope (boundaries, part headers, small fields) around a file. */
const MULTIPART_ENVELOPE_BYTES = 64 * 1024;
/** After a 413 the rest of the body is read and dropped for at most this long (like nginx's lingering close). */
const LINGER_MS = 5000;

export interface BodyLimits {
	maxBodyBytes: number;
	maxFileBytes: number;
	gdprMaxFileBytes: number;
}

/** What a request body is: a GDPR CSV upload, a file upload to a route that takes one, or a body. */
export type BodyTarget = 'gdpr-upload' | 'upload' | 'body';

export interface BodyLimit {
	bytes: number;
	/** The detail of the 413 answered above the limit. */
	detail: string;
}

/** The body limit of a request: file uploads get maxFileBytes, everything else maxBodyBytes. */
export function bodyLimit(limits: BodyLimits, target: BodyTarget): BodyLimit {
	if (target === 'gdpr-upload') {
		return {
			bytes: limits.gdprMaxFileBytes + MULTIPART_ENVELOPE_BYTES,
			detail: `the CSV file must be smaller than ${formatBytes(limits.gdprMaxFileBytes)}`,
		};
	}
	if (target === 'upload') {
		return {
			bytes: limits.maxFileBytes + MULTIPART_ENVELOPE_BYTES,
			detail: `the uploaded file is larger than the ${formatBytes(limits.maxFileBytes)} limit`,
		};
	}
	return {
		bytes: limits.maxBodyBytes,
		detail: `the request body is larger than the ${formatBytes(limits.maxBodyBytes)} limit`,
	};
}

/** 413 when a file part of a parsed multipart body is larger than maxFileBytes. */
export function checkFileParts(
	parts: Array<{ name: string; filename?: string; data: Buffer }>,
	maxFileBytes: number,
) {
	for (const part of parts) {
		if ((part.filename !== undefined || part.name === 'file') && part.data.length > maxFileBytes) {
			throw new HttpProblem(
				413,
				'Payload Too Large',
				`the uploaded file is larger than the ${formatBytes(maxFileBytes)} limit`,
			);
		}
	}
}

export interface ReadBody {
	buffer: Buffer;
	bytes: number;
	tooLarge: boolean;
	aborted: boolean;
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads a request body, giving up as soon as it passes `limit` bytes: a declared Content-Length
 * above the limit is refused before reading, a chunked body once the running count passes it.
 * Nothing past the limit is buffered.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
	return new Promise((resolve) => {
		const declared =
			req.headers['content-length'] === undefined ? NaN : Number(req.headers['content-length']);
		if (Number.isFinite(declared) && declared > limit) {
			resolve({ buffer: EMPTY, bytes: declared, tooLarge: true, aborted: false });
			return;
		}
		const chunks: Buffer[] = [];
		let bytes = 0;
		let settled = false;
		const finish = (result: ReadBody) => {
			if (settled) return;
			settled = true;
			req.off('data', onData);
			resolve(result);
		};
		const onData = (chunk: Buffer) => {
			bytes += chunk.length;
			if (bytes > limit) {
				chunks.length = 0;
				finish({ buffer: EMPTY, bytes, tooLarge: true, aborted: false });
				return;
			}
			chunks.push(chunk);
		};
		req.on('data', onData);
		req.on('end', () =>
			finish({ buffer: Buffer.concat(chunks, bytes), bytes, tooLarge: false, aborted: false }),
		);
		req.on('error', () => finish({ buffer: EMPTY, bytes, tooLarge: false, aborted: true }));
		req.on('close', () => finish({ buffer: EMPTY, bytes, tooLarge: false, aborted: true }));
	});
}

/**
 * After an early answer, drop the rest of the body so the client can finish sending and read
 * the 413 (closing at once makes many clients report EPIPE/ECONNRESET instead), but never for
 * longer than LINGER_MS.
 */
export function linger(req: IncomingMessage) {
	if (req.complete) return;
	const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
	timer.unref();
	req.on('end', () => clearTimeout(timer));
	req.on('close', () => clearTimeout(timer));
	req.resume();
}

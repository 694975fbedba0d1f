/**
 * Request bodies: the body kind a media type names, JSON parsing, the 415 for a kind a route does
 * not take, and multipart parts (recorded in the request log without their data).
 */
import { MultipartError, type MultipartPart, parseMultipart } from './multipart';
import { badRequest, HttpProblem } from './problem';
import type { RecordedRequest } from './request-log';
import type { BodyKind } from './routes/route';

const BODY_KIND_TYPES: Record<BodyKind, string> = {
	json: 'application/json',
	ndjson: 'application/x-ndjson',
	csv: 'text/csv',
	multipart: 'multipart/form-data',
};

/**
 * The body kind a media type names. NDJSON is only `application/x-ndjson` (the type a public
 * Appcues client sends); anything else mentioning json is JSON.
 */
export function bodyKindOf(mediaType: string): BodyKind | undefined {
	if (mediaType === 'application/x-ndjson') return 'ndjson';
	if (mediaType === 'text/csv') return 'csv';
	if (mediaType === 'multipart/form-data') return 'multipart';
	if (mediaType.includes('json')) return 'json';
	return undefined;
}

/**
 * The body as the routes see it (parsed when it is JSON, else its text) and its text. JSON bodies
 * are always parsed for the routes; `keepText` (recordBodies) only decides whether other bodies'
 * text is kept.
 */
export function decodeBody(buffer: Buffer, mediaType: string, keepText: boolean) {
	const isJson = bodyKindOf(mediaType) === 'json';
	const rawBody = keepText || isJson ? buffer.toString('utf8') : '';
	let body: unknown = rawBody;
	if (rawBody && isJson) {
		try {
			body = JSON.parse(rawBody);
		} catch {
			body = rawBody;
		}
	}
	return { body, rawBody };
}

/** 415 when a non-empty body is of a kind the route does not accept. */
export function checkBodyKind(
	kind: BodyKind | undefined,
	accepts: BodyKind[],
	contentType: string,
) {
	if (kind && accepts.includes(kind)) return;
	const got = contentType || 'no content type';
	throw new HttpProblem(
		415,
		'Unsupported Media Type',
		accepts.length === 1
			? `expected ${BODY_KIND_TYPES[accepts[0]]}, got ${got}`
			: `expected one of ${accepts.map((accepted) => BODY_KIND_TYPES[accepted]).join(', ')}, got ${got}`,
	);
}

/** The parts of a multipart body, noted in the request's record; 400 when it is malformed. */
export function multipartParts(
	rawBody: Buffer,
	contentType: string,
	record: RecordedRequest,
): MultipartPart[] {
	try {
		const parts = parseMultipart(rawBody, contentType);
		record.parts = parts.map((part) => ({
			name: part.name,
			filename: part.filename,
			contentType: part.contentType,
			bytes: part.data.length,
		}));
		return parts;
	} catch (error) {
		if (error instanceof MultipartError)
			throw badRequest(`malformed multipart body: ${error.message}`);
		throw error;
	}
}

/**
 * Media types and a small, strict multipart/form-data parser (RFC 7578 / RFC 2046) for the fake
 * Appcues server. No dependency: the fake must catch a client that builds a malformed body, so
 * it accepts what browsers, undici's FormData and the `form-data` package send and rejects the
 * rest with a message that says what is wrong.
 *
 * Strict on purpose: lines end in CRLF, the closing delimiter `--boundary--` is required, every
 * part needs `Content-Disposition: form-data; name="…"`.
 */

export class MultipartError extends Error {}

export interface MediaType {
	/** Lower-cased `type/subtype`, '' when there was no header. */
	type: string;
	/** Parameter names lower-cased, values unquoted. */
	params: Record<string, string>;
}

export interface MultipartPart {
	name: string;
	filename?: string;
	/** The part's Content-Type header as sent, when it had one. */
	contentType?: string;
	headers: Record<string, string>;
	data: Buffer;
}

/** Splits `a=1; b="x;y"` on semicolons outside quotes and unquotes values. */
function parseParams(text: string): Record<string, string> {
	const params: Record<string, string> = {};
	let index = 0;
	while (index < text.length) {
		while (index < text.length && /[\s;]/.test(text[index])) index++;
		const eq = text.indexOf('=', index);
		if (eq < 0) break;
		const key = text.slice(index, eq).trim().toLowerCase();
		index = eq + 1;
		let value = '';
		if (text[index] === '"') {
			index++;
			while (index < text.length && text[index] !== '"') {
				if (text[index] === '\\' && index + 1 < text.length) index++;
				value += text[index++];
			}
			index++;
		} else {
			const end = text.indexOf(';', index);
			value = (end < 0 ? text.slice(index) : text.slice(index, end)).trim();
			index = end < 0 ? text.length : end;
		}
		if (key) params[key] = value;
	}
	return params;
}

export function parseMediaType(header: string | undefined): MediaType {
	const text = String(header ?? '');
	const semicolon = text.indexOf(';');
	const type = (semicolon < 0 ? text : text.slice(0, semicolon)).trim().toLowerCase();
	return { type, params: semicolon < 0 ? {} : parseParams(text.slice(semicolon + 1)) };
}

/** `filename*=UTF-8''na%C3%AFve.csv` (RFC 5987) wins over `filename=`, as RFC 6266 says. */
function dispositionFilename(params: Record<string, string>): string | undefined {
	const extended = params['filename*'];
	if (extended) {
		const match = /^([^']*)'[^']*'(.*)$/.exec(extended);
		if (match) {
			try {
				return decodeURIComponent(match[2]);
			} catch {
				return match[2];
			}
		}
	}
	if (params.filename === undefined) return undefined;
	// Browsers and undici percent-encode `"`, CR and LF in quoted names.
	return params.filename.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export function parseMultipart(
	body: Buffer,
	contentTypeHeader: string | undefined,
): MultipartPart[] {
	const { type, params } = parseMediaType(contentTypeHeader);
	if (type !== 'multipart/form-data')
		throw new MultipartError(`expected multipart/form-data, got ${type || 'no content type'}`);
	const boundary = params.boundary;
	if (!boundary)
		throw new MultipartError('the multipart/form-data content type has no boundary parameter');
	if (boundary.length > 70)
		throw new MultipartError('the multipart boundary is longer than 70 characters');

	const delimiter = Buffer.from(`--${boundary}`);
	// The first delimiter starts the body or follows a preamble line.
	let position = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : -1;
	if (position < 0) {
		const found = body.indexOf(Buffer.concat([CRLF, delimiter]));
		if (found < 0)
			throw new MultipartError(
				`the body does not contain the boundary ${JSON.stringify(boundary)}`,
			);
		position = found + CRLF.length;
	}

	const parts: MultipartPart[] = [];
	const nextDelimiter = Buffer.concat([CRLF, delimiter]);
	for (;;) {
		position += delimiter.length;
		if (body[position] === 0x2d && body[position + 1] === 0x2d) return parts; // "--": closing delimiter
		// Transport padding (spaces/tabs) may follow a delimiter before its CRLF.
		while (body[position] === 0x20 || body[position] === 0x09) position++;
		if (!(body[position] === 0x0d && body[position + 1] === 0x0a)) {
			throw new MultipartError(
				position >= body.length
					? 'the multipart body ends without a closing boundary'
					: 'a multipart boundary is not followed by CRLF',
			);
		}
		position += 2;
		const headerEnd = body.indexOf(HEADER_END, position);
		// A part with no headers at all starts with an empty line straight away.
		const noHeaders = body[position] === 0x0d && body[position + 1] === 0x0a;
		if (!noHeaders && headerEnd < 0)
			throw new MultipartError(`part ${parts.length + 1} has no end of headers (CRLF CRLF)`);
		const headerText = noHeaders ? '' : body.subarray(position, headerEnd).toString('utf8');
		const contentStart = noHeaders ? position + 2 : headerEnd + HEADER_END.length;
		const headers: Record<string, string> = {};
		for (const line of headerText ? headerText.split('\r\n') : []) {
			const colon = line.indexOf(':');
			if (colon <= 0)
				throw new MultipartError(
					`part ${parts.length + 1} has a malformed header line ${JSON.stringify(line)}`,
				);
			headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		}
		const contentEnd = body.indexOf(nextDelimiter, contentStart);
		if (contentEnd < 0)
			throw new MultipartError('the multipart body ends without a closing boundary');

		const disposition = headers['content-disposition'];
		if (!disposition)
			throw new MultipartError(`part ${parts.length + 1} has no Content-Disposition header`);
		const parsed = parseMediaType(disposition);
		if (parsed.type !== 'form-data') {
			throw new MultipartError(
				`part ${parts.length + 1} has Content-Disposition ${parsed.type}, expected form-data`,
			);
		}
		if (parsed.params.name === undefined)
			throw new MultipartError(`part ${parts.length + 1} has no name`);
		parts.push({
			name: parsed.params.name,
			filename: dispositionFilename(parsed.params),
			contentType: headers['content-type'],
			headers,
			data: body.subarray(contentStart, contentEnd),
		});
		position = contentEnd + CRLF.length;
	}
}

/** Builds a multipart/form-data body (for tests and scripts that want exact bytes). */
export function buildMultipart(
	parts: Array<{ name: string; filename?: string; contentType?: string; data: string | Buffer }>,
	boundary = `----fake-appcues-${Math.random().toString(16).slice(2)}`,
): { body: Buffer; contentType: string } {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
		if (part.filename !== undefined) head += `; filename="${part.filename.replace(/"/g, '%22')}"`;
		head += '\r\n';
		if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
		chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.data), CRLF);
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

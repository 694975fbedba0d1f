import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

const MAX_RAW_BODY_CHARS = 200;

const AUTH_HINT =
	'Check the API key, API secret, account ID and region in the Appcues credential. Keys are per ' +
	'region: a US key does not work on the EU API.';

/**
 * Appcues answers errors as
 * `{"error": true, "status": 404, "title": "Not Found", "detail": "..."}`; the account tools as
 * `{"error": "invalid_arguments", "error_description": "name is required"}`.
 */
export interface AppcuesProblem {
	title?: string;
	detail?: string;
	raw?: string;
}

export function readProblem(body: unknown): AppcuesProblem {
	if (body && typeof body === 'object' && !Array.isArray(body)) {
		const { title, detail, message, error, error_description } = body as Record<string, unknown>;
		const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
		const described = text(error_description);
		const problem: AppcuesProblem = {
			title: text(title) ?? (described ? text(error) : undefined),
			detail: text(detail) ?? text(message) ?? described ?? text(error),
		};
		if (problem.title || problem.detail) return problem;
		return { raw: shorten(JSON.stringify(body)) };
	}
	if (Buffer.isBuffer(body)) return { raw: shorten(body.toString('utf8')) };
	if (typeof body === 'string') {
		const trimmed = body.trim();
		if (trimmed.startsWith('{')) {
			try {
				return readProblem(JSON.parse(trimmed));
			} catch {
				// not JSON after all: shown shortened below
			}
		}
		return trimmed ? { raw: shorten(trimmed) } : {};
	}
	return {};
}

function shorten(text: string): string {
	const flat = text.replace(/\s+/g, ' ');
	return flat.length > MAX_RAW_BODY_CHARS ? `${flat.slice(0, MAX_RAW_BODY_CHARS)}…` : flat;
}

export function describeProblem(problem: AppcuesProblem): string | undefined {
	if (problem.title && problem.detail) return `${problem.title}: ${problem.detail}`;
	return problem.title ?? problem.detail ?? problem.raw;
}

/**
 * Builds the error for an HTTP error answer. Only the status and Appcues' own words go in: never
 * the request options, which hold the Authorization header.
 */
export function apiErrorFromResponse(
	node: INode,
	status: number,
	body: unknown,
	request: { method: string; path: string },
	itemIndex?: number,
): NodeApiError {
	const problem = readProblem(body);
	const said = describeProblem(problem);
	const isAuth = status === 401 || status === 403;
	const message = isAuth
		? `Appcues refused the credentials (${status}${problem.title ? ` ${problem.title}` : ''}): ` +
			'check the API key, secret, account ID and region'
		: `Appcues API error ${status}${said ? `: ${said}` : ''}`;
	const description = [
		said && isAuth ? `Appcues said: ${said}.` : undefined,
		isAuth ? AUTH_HINT : undefined,
		`Request: ${request.method} ${request.path}`,
	]
		.filter(Boolean)
		.join(' ');
	const response: JsonObject = {
		httpCode: String(status),
		status,
		...(problem.title ? { title: problem.title } : {}),
		...(problem.detail ? { detail: problem.detail } : {}),
		...(problem.raw ? { body: problem.raw } : {}),
	};
	return new NodeApiError(node, response, {
		message,
		description,
		httpCode: String(status),
		itemIndex,
	});
}

const CONNECTION_FAILURES: Record<string, string> = {
	ECONNRESET: 'the connection was reset',
	ECONNREFUSED: 'the connection was refused',
	ECONNABORTED: 'the connection was aborted',
	ETIMEDOUT: 'the request timed out',
	ESOCKETTIMEDOUT: 'the request timed out',
	EPIPE: 'the connection was closed while sending',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
};

/**
 * The socket code goes in the description only: n8n replaces any error message that contains
 * one by a generic sentence.
 */
export function connectionError(
	node: INode,
	code: string,
	request: { method: string; path: string; host: string },
	attempts: number,
	mayHaveBeenApplied: boolean,
	itemIndex?: number,
): NodeApiError {
	const what = CONNECTION_FAILURES[code] ?? 'the connection failed';
	const message = mayHaveBeenApplied
		? `The ${request.method} request to Appcues may have gone through (${what} after it was ` +
			'sent), so it was not repeated'
		: `Could not reach Appcues at ${request.host} after ${attempts} ` +
			`attempt${attempts === 1 ? '' : 's'}: ${what}`;
	const description = mayHaveBeenApplied
		? `Request: ${request.method} ${request.path} (${code}). Check in Appcues whether the change ` +
			'was applied before running this item again.'
		: `Request: ${request.method} ${request.path} (${code}). Check the region or base URL in the ` +
			'Appcues credential and the network between n8n and Appcues.';
	return new NodeApiError(node, { connectionFailure: what } as JsonObject, {
		message,
		description,
		itemIndex,
	});
}

/**
 * A non-idempotent request answered with a status after which it may have been applied (500, 502,
 * 504): it is not sent again, and the user is told to check before running the item again.
 */
export function mayHaveBeenAppliedError(
	node: INode,
	status: number,
	body: unknown,
	request: { method: string; path: string },
	itemIndex?: number,
): NodeApiError {
	const problem = readProblem(body);
	const said = describeProblem(problem);
	const message =
		`The ${request.method} request to Appcues may have gone through (Appcues ` +
		`answered ${status}${problem.title ? ` ${problem.title}` : ''}), so it was not repeated`;
	const description = [
		`Request: ${request.method} ${request.path}.`,
		said ? `Appcues said: ${said}.` : undefined,
		'Check in Appcues whether the change was applied before running this item again.',
	]
		.filter(Boolean)
		.join(' ');
	const response: JsonObject = {
		httpCode: String(status),
		status,
		...(said ? { body: said } : {}),
	};
	return new NodeApiError(node, response, {
		message,
		description,
		httpCode: String(status),
		itemIndex,
	});
}

/**
 * Appcues' API never redirects, so a 3xx comes from a misconfigured Base URL or a hostile host.
 * It is not followed (the credentials would go with it); the error names only the target host,
 * never the full location, which may carry tokens.
 */
export function redirectError(
	node: INode,
	status: number,
	location: unknown,
	request: { method: string; path: string; url: string },
	itemIndex?: number,
): NodeApiError {
	const text = Array.isArray(location) ? location[0] : location;
	let target = 'no location';
	if (typeof text === 'string' && text.trim()) {
		try {
			target = new URL(text.trim(), request.url).host || 'an invalid location';
		} catch {
			target = 'an invalid location';
		}
	}
	const message =
		`Appcues answered with a redirect (${status}) to ${target}; it was not ` +
		'followed, so no credentials were sent there';
	const description =
		'The Appcues API does not redirect. Check the Region and Base URL in the ' +
		`Appcues credential. Request: ${request.method} ${request.path}`;
	return new NodeApiError(
		node,
		{ httpCode: String(status), status, redirectTarget: target } as JsonObject,
		{
			message,
			description,
			httpCode: String(status),
			itemIndex,
		},
	);
}

/**
 * A success answer that is a page (declared HTML or XML, or text that starts with a tag) and not
 * JSON. Plain text is left alone: an API may answer "OK".
 */
export function isMarkupAnswer(body: unknown, contentType: unknown): boolean {
	if (typeof body !== 'string' || !body.trim()) return false;
	const type = String((Array.isArray(contentType) ? contentType[0] : contentType) ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	if (/^application\/(?:[\w.-]+\+)?json$/.test(type)) return false;
	return /html|xml/.test(type) || body.trimStart().startsWith('<');
}

/**
 * A success answer that is a page, not JSON: not Appcues' API (a website, a login page, a
 * proxy's notice). Counted as success, the items would carry made-up results. Whether a request
 * that changes data was applied cannot be known, so the error says to check.
 */
export function notJsonError(
	node: INode,
	status: number,
	contentType: unknown,
	request: { method: string; path: string; host: string },
	itemIndex?: number,
): NodeApiError {
	const type = Array.isArray(contentType) ? contentType[0] : contentType;
	const shown =
		typeof type === 'string' && /^[\w.+/-]{1,100}$/.test(type.split(';')[0].trim())
			? type.split(';')[0].trim()
			: 'no JSON content type';
	return notAppcuesError(
		node,
		status,
		`${request.host} answered ${status} with ${shown}, not JSON: that is not the Appcues API answering`,
		[],
		request,
		itemIndex,
	);
}

/**
 * A success answer larger than the client reads (or, `together`, answers read at once that are):
 * far beyond any Appcues gives, so a broken or hostile server at the Base URL. A change it
 * answered may have been applied.
 */
export function answerTooLargeError(
	node: INode,
	status: number,
	maxBytes: number,
	request: { method: string; path: string; host: string },
	itemIndex?: number,
	together = false,
): NodeApiError {
	const megabytes = maxBytes / (1024 * 1024);
	return notAppcuesError(
		node,
		status,
		together
			? `${request.host} answered ${status} while its answers being read at once came to more than ${megabytes} MB; this one was not read`
			: `${request.host} answered ${status} with more than ${megabytes} MB, which was not read`,
		['No answer of Appcues comes near this size, so this is not Appcues answering.'],
		request,
		itemIndex,
	);
}

/**
 * A success status from a server that is not Appcues' API: the credential's Region or Base URL is
 * to check, and a request that changes data may have been applied.
 */
function notAppcuesError(
	node: INode,
	status: number,
	message: string,
	why: string[],
	request: { method: string; path: string },
	itemIndex?: number,
): NodeApiError {
	const changes = request.method !== 'GET' && request.method !== 'HEAD';
	return new NodeApiError(node, { httpCode: String(status), status } as JsonObject, {
		message,
		description: [
			`Request: ${request.method} ${request.path}.`,
			...why,
			'Check the Region and the Base URL in the Appcues credential.',
			changes ? 'Check in Appcues whether the change was applied before running again.' : '',
		]
			.filter(Boolean)
			.join(' '),
		httpCode: String(status),
		itemIndex,
	});
}

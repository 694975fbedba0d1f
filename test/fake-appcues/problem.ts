/** Appcues-style error bodies: `{"error": true, "status", "title", "detail"}` (SOURCES.md: CLI). */

export const STATUS_TITLES: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	413: 'Payload Too Large',
	415: 'Unsupported Media Type',
	422: 'Unprocessable Entity',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

export class HttpProblem extends Error {
	constructor(
		readonly status: number,
		readonly title: string,
		readonly detail: string,
		/** Extra response headers (e.g. Retry-After on an analytics 429). */
		readonly headers: Record<string, string> = {},
	) {
		super(detail);
	}
}

/** A 400 with the standard title; the detail names the bad field, line or column. */
export function badRequest(detail: string) {
	return new HttpProblem(400, 'Bad Request', detail);
}

export function problemBody(
	status: number,
	detail: string,
	title = STATUS_TITLES[status] ?? 'Error',
) {
	return JSON.stringify({ error: true, status, title, detail });
}

/** "20 MB" for whole decimal megabytes (1,000,000 bytes), else "1234 bytes". */
export function formatBytes(bytes: number) {
	const mb = 1_000_000;
	return bytes >= mb && bytes % mb === 0 ? `${bytes / mb} MB` : `${bytes} bytes`;
}

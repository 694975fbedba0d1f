/**
 * The fake's request log: every Appcues request it received (the control API is not recorded),
 * with the status it answered, and how many requests it was handling at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Which of the fake's two listeners got a request: the API, or the account tools (routes/tools.ts). */
export type FakeOrigin = 'api' | 'tools';

export interface RecordedRequest {
	origin: FakeOrigin;
	method: string;
	/** Raw path as sent, percent-encoding kept. */
	rawPath: string;
	/** Path segments, each decoded once. */
	segments: string[];
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON when the body was JSON, else the raw text ('' when recordBodies is off). */
	body: unknown;
	rawBody: string;
	/**
	 * Size of the request body in bytes. For a 413 it is the declared Content-Length when that
	 * already exceeded the limit, else the bytes read until the limit was passed.
	 */
	bytes: number;
	/** The parts of a multipart/form-data body (without their data). */
	parts?: Array<{ name: string; filename?: string; contentType?: string; bytes: number }>;
	accountId?: string;
	/** Status answered, or 0 when the connection was dropped. */
	status: number;
	at: number;
}

export interface RequestFilter {
	method?: string;
	/** Keeps requests whose decoded path contains this text. */
	pathIncludes?: string;
}

export class RequestLog {
	readonly requests: RecordedRequest[] = [];
	/** Requests being handled right now, and the most there ever were at once (since clear). */
	inFlight = 0;
	maxInFlight = 0;

	/** Counts a request as in flight until its response closes. */
	track(res: ServerResponse) {
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		res.on('close', () => this.inFlight--);
	}

	/** Records a request whose body has been read; its status is set when it is answered. */
	record(
		req: IncomingMessage,
		request: Pick<
			RecordedRequest,
			'origin' | 'method' | 'rawPath' | 'segments' | 'body' | 'rawBody' | 'bytes'
		>,
		url: URL,
	): RecordedRequest {
		const record: RecordedRequest = {
			origin: request.origin,
			method: request.method,
			rawPath: request.rawPath,
			segments: request.segments,
			query: Object.fromEntries(url.searchParams),
			headers: { ...req.headers },
			body: request.body,
			rawBody: request.rawBody,
			bytes: request.bytes,
			status: 0,
			at: Date.now(),
		};
		this.requests.push(record);
		return record;
	}

	filter(filter?: RequestFilter) {
		return this.requests.filter(
			(request) =>
				(!filter?.method || request.method === filter.method) &&
				(!filter?.pathIncludes || request.segments.join('/').includes(filter.pathIncludes)),
		);
	}

	/** Forgets the requests; the in-flight peak starts again from the requests still running. */
	clear() {
		this.requests.length = 0;
		this.maxInFlight = this.inFlight;
	}
}

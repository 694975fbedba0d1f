/**
 * A fake Appcues API: a real HTTP server on 127.0.0.1 that behaves as
 * ../shared/research/appcues-api.md describes the real one (Basic auth with key and secret,
 * account-scoped paths, `{"error": true, "status", "title", "detail"}` error bodies, an
 * account-wide rate limit answered with 429 and no Retry-After, async jobs). Tests, the
 * end-to-end suite and `npm run dev` all use this one server.
 *
 * Faults can be injected (429 bursts, 5xx, dropped connections, latency), and every request is
 * recorded for assertions. A small control API lives under /__fake/ for out-of-process users.
 *
 * Bulk data (issue 5): body size limits (413), bulk import of NDJSON / CSV / multipart files,
 * segment membership from a CSV file, events and segment membership exports, jobs that finish,
 * fail or never finish, analytics queries and exports with a presigned-style download URL, and
 * GDPR erasure with the legacy key. Where the research notes say a detail is unknown, the fake
 * picks a strict, plausible rule and says so in a comment next to it.
 *
 * This file is the server core and the public entry: the HTTP listener, body reading and
 * limits, auth, the rate limit, faults, the request log, the settings and the routing table.
 * The routes live in routes/, one module per resource as in nodes/Appcues/actions/ (listed in
 * routes/index.ts); the account state in state.ts; the /__fake/ control API in control.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { handleControl } from './control';
import { MultipartError, parseMediaType, parseMultipart } from './multipart';
import { badRequest, formatBytes, HttpProblem, problemBody } from './problem';
import { buildRoutes } from './routes';
import { type DownloadTokens, presignedDownload } from './routes/analytics';
import { gdprDelete } from './routes/legacy';
import { dispatchTools } from './routes/tools';
import type { BodyKind, DispatchResult, Route } from './routes/route';
import {
	type AccountState,
	type AnalyticsExportRecord,
	createJob,
	DEFAULT_ACCOUNT,
	DEFAULT_JOB_FAILURE,
	emptyState,
	type FakeAccount,
} from './state';

export { problemBody } from './problem';
export {
	type AccountState,
	type AnalyticsExportRecord,
	createJob,
	type CreateJobOptions,
	DEFAULT_ACCOUNT,
	DEFAULT_ANALYTICS_FAILURE,
	DEFAULT_JOB_FAILURE,
	EXPERIENCE_TYPES,
	type ExportRecord,
	type FakeAccount,
	type GdprRequestRecord,
	type ImportRecord,
	type JobRecord,
	serializeState,
	type UserRecord,
} from './state';

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

export type FaultKind = 'status' | 'drop' | 'drop-after-apply' | 'latency';

export interface Fault {
	kind: FaultKind;
	/** Status to answer for kind "status" (429, 500, 502, 503, 504 …). */
	status?: number;
	/** Header value for Retry-After, when the fault should send one. */
	retryAfter?: string;
	/** Extra delay for kind "latency". */
	delayMs?: number;
	/** How many matching requests the fault applies to; Infinity for always. */
	times?: number;
	/** Probability (0..1) that a matching request is hit; 1 by default. */
	probability?: number;
	method?: string;
	/** Applies when the decoded path contains this text. */
	pathIncludes?: string;
	/** Body to send with a status fault; an Appcues-style error body by default. */
	body?: string;
}

export interface FakeAppcuesOptions {
	accounts?: FakeAccount[];
	/** Account-wide limit; Appcues allows about 60 requests per second. 0 turns it off. */
	rateLimitPerSecond?: number;
	/** Latency added to every request. */
	latencyMs?: number;
	/** How many polls of a job it takes to finish (legacy jobs and analytics exports). */
	jobPollsToFinish?: number;
	/**
	 * How legacy jobs (`GET /jobs/{id}`) report status. 'string' (default): "queued", "running",
	 * then "complete" or "failed". 'numeric': HTTP-like numbers as TAP reads them (research §3.8):
	 * 202 while queued or running, 200 when done, 422 when failed.
	 */
	statusStyle?: 'string' | 'numeric';
	/**
	 * Largest request body, in bytes (default 20 MB = 20,000,000 bytes). The research notes found no
	 * documented limit; 20 MB is the figure the project's brief gives. Above it: 413.
	 */
	maxBodyBytes?: number;
	/** Largest file in a multipart upload (import, segment membership), in bytes (default 200,000,000). */
	maxFileBytes?: number;
	/** The GDPR CSV upload must be smaller than this (default 8,000,000 bytes, documented "< 8 MB"). */
	gdprMaxFileBytes?: number;
	/**
	 * When a number, analytics queries and exports return that many synthetic rows (before
	 * offset/limit and the 1,000-row sync cap) instead of rows computed from the account's events.
	 */
	analyticsRows?: number;
	/** How long a download_url stays valid (default 3600 s, as Appcues documents for its presigned URLs). */
	downloadTtlSeconds?: number;
	/**
	 * Keep request bodies in `requests` and imported rows in `imports[].records` (default true).
	 * Turn off for benchmarks, so the fake does not hold every body it received.
	 */
	recordBodies?: boolean;
	seed?: (state: AccountState, account: FakeAccount) => void;
}

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

const BODY_KIND_TYPES: Record<BodyKind, string> = {
	json: 'application/json',
	ndjson: 'application/x-ndjson',
	csv: 'text/csv',
	multipart: 'multipart/form-data',
};

/**
 * The body kind a media type names. NDJSON is only `application/x-ndjson` (the research's
 * inferred type, and what VELOCITY sends); anything else mentioning json is JSON, as before.
 */
function bodyKindOf(mediaType: string): BodyKind | undefined {
	if (mediaType === 'application/x-ndjson') return 'ndjson';
	if (mediaType === 'text/csv') return 'csv';
	if (mediaType === 'multipart/form-data') return 'multipart';
	if (mediaType.includes('json')) return 'json';
	return undefined;
}

interface ReadBody {
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
function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
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
function linger(req: IncomingMessage) {
	if (req.complete) return;
	const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
	timer.unref();
	req.on('end', () => clearTimeout(timer));
	req.on('close', () => clearTimeout(timer));
	req.resume();
}

function isGdprPath(segments: string[]) {
	return (
		segments.length === 3 &&
		segments[0] === 'v1' &&
		segments[1] === 'gdpr' &&
		segments[2] === 'delete'
	);
}

export class FakeAppcues {
	readonly requests: RecordedRequest[] = [];
	/** Requests being handled right now, and the most there ever were at once (since reset). */
	inFlight = 0;
	maxInFlight = 0;
	readonly accounts: FakeAccount[];
	readonly states = new Map<string, AccountState>();
	private readonly faults: Array<Fault & { used: number }> = [];
	private readonly jobPlan: Array<{ outcome: 'fail' | 'stall'; reason?: string; left: number }> =
		[];
	/** Download tokens minted by analytics export polls. */
	private readonly downloads: DownloadTokens = new Map();
	private server?: Server;
	private toolsServer?: Server;
	private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();
	private readonly routes: Route[];
	private readonly sockets = new Set<import('node:net').Socket>();
	url = '';
	/** The account tools origin (mcp.appcues.com of this fake), a second listener. */
	toolsUrl = '';

	constructor(private readonly options: FakeAppcuesOptions = {}) {
		this.accounts = options.accounts ?? [DEFAULT_ACCOUNT];
		for (const account of this.accounts) {
			const state = emptyState();
			options.seed?.(state, account);
			this.states.set(account.accountId, state);
		}
		this.routes = buildRoutes(this);
	}

	get rateLimitPerSecond() {
		return this.options.rateLimitPerSecond ?? 60;
	}

	set rateLimitPerSecond(value: number) {
		this.options.rateLimitPerSecond = value;
		this.buckets.clear();
	}

	set latencyMs(value: number) {
		this.options.latencyMs = value;
	}

	get jobPollsToFinish() {
		return this.options.jobPollsToFinish ?? 2;
	}

	get statusStyle() {
		return this.options.statusStyle ?? 'string';
	}

	get maxBodyBytes() {
		return this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	}

	get maxFileBytes() {
		return this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
	}

	get gdprMaxFileBytes() {
		return this.options.gdprMaxFileBytes ?? DEFAULT_GDPR_MAX_FILE_BYTES;
	}

	get analyticsRows() {
		return this.options.analyticsRows;
	}

	get downloadTtlSeconds() {
		return this.options.downloadTtlSeconds ?? 3600;
	}

	get recordBodies() {
		return this.options.recordBodies ?? true;
	}

	/** Changes settings of a running fake (the same names as the constructor's options). */
	configure(settings: Omit<FakeAppcuesOptions, 'accounts' | 'seed'>) {
		for (const [key, value] of Object.entries(settings)) {
			if (value === undefined) delete (this.options as Record<string, unknown>)[key];
			else (this.options as Record<string, unknown>)[key] = value;
		}
		if ('rateLimitPerSecond' in settings) this.buckets.clear();
	}

	state(accountId = this.accounts[0].accountId): AccountState {
		const state = this.states.get(accountId);
		if (!state) throw new Error(`no account ${accountId}`);
		return state;
	}

	addFault(fault: Fault) {
		this.faults.push({ times: 1, probability: 1, ...fault, used: 0 });
	}

	clearFaults() {
		this.faults.length = 0;
	}

	/**
	 * The next `count` jobs created by any route (imports, segment membership, exports, analytics
	 * exports) fail: their final status is "failed" (422 in numeric style) with `detail` (legacy
	 * jobs) or `failure_reason` (analytics exports) set to `reason`. A failing job changes nothing.
	 */
	failNextJobs(count = 1, reason?: string) {
		this.jobPlan.push({ outcome: 'fail', reason, left: count });
	}

	/** The next `count` jobs created by any route never finish (and change nothing). */
	stallNextJobs(count = 1) {
		this.jobPlan.push({ outcome: 'stall', left: count });
	}

	/** Forgets planned job failures and stalls. */
	clearJobPlan() {
		this.jobPlan.length = 0;
	}

	/** The planned outcome of the next job a route creates (consumes the plan). */
	takeJobOutcome(): { outcome: 'ok' | 'fail' | 'stall'; reason?: string } {
		const next = this.jobPlan[0];
		if (!next) return { outcome: 'ok' };
		if (--next.left <= 0) this.jobPlan.shift();
		return { outcome: next.outcome, reason: next.reason };
	}

	/** Creates a legacy job with the planned outcome; `applies` is false when it will fail or stall. */
	startJob(state: AccountState, baseUrl: string, name: string) {
		const { outcome, reason } = this.takeJobOutcome();
		const response = createJob(state, baseUrl, name, {
			...(outcome === 'fail' ? { fail: reason ?? DEFAULT_JOB_FAILURE } : {}),
			...(outcome === 'stall' ? { stall: true } : {}),
		});
		return { response, applies: outcome === 'ok' };
	}

	/** Mints a fresh download URL for a finished analytics export (valid downloadTtlSeconds). */
	mintDownloadUrl(accountId: string, job: AnalyticsExportRecord) {
		const token = randomUUID().replace(/-/g, '');
		const expiresAt = Date.now() + this.downloadTtlSeconds * 1000;
		const signature = createHash('sha256').update(`${token}:${expiresAt}`).digest('hex');
		this.downloads.set(token, { accountId, jobId: job.job_id, expiresAt, signature });
		const amzDate = new Date()
			.toISOString()
			.replace(/[-:]/g, '')
			.replace(/\.\d{3}/, '');
		const query = new URLSearchParams({
			'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
			'X-Amz-Credential': `FAKEACCESSKEY/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
			'X-Amz-Date': amzDate,
			'X-Amz-Expires': String(this.downloadTtlSeconds),
			'X-Amz-SignedHeaders': 'host',
			'X-Amz-Signature': signature,
		});
		const extension = job.spec.format === 'json' ? 'json' : 'csv';
		return {
			download_url: `${this.url}/__download/${token}.${extension}?${query}`,
			expires_at: new Date(expiresAt).toISOString(),
		};
	}

	reset() {
		this.requests.length = 0;
		this.clearFaults();
		this.clearJobPlan();
		this.maxInFlight = this.inFlight;
		this.buckets.clear();
	}

	/** Requests for Appcues routes (the control API is not recorded). */
	apiRequests(filter?: { method?: string; pathIncludes?: string }) {
		return this.requests.filter(
			(request) =>
				(!filter?.method || request.method === filter.method) &&
				(!filter?.pathIncludes || request.segments.join('/').includes(filter.pathIncludes)),
		);
	}

	/** Starts the API listener on `port` and the account tools listener on a free port. */
	async start(port = 0, host = '127.0.0.1'): Promise<string> {
		this.server = await this.listen('api', port, host);
		this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
		this.toolsServer = await this.listen('tools', 0, host);
		this.toolsUrl = `http://${host}:${(this.toolsServer.address() as AddressInfo).port}`;
		return this.url;
	}

	private async listen(origin: FakeOrigin, port: number, host: string): Promise<Server> {
		const server = createServer((req, res) => {
			void this.handle(req, res, origin);
		});
		server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => server.listen(port, host, resolve));
		return server;
	}

	async close() {
		for (const socket of this.sockets) socket.destroy();
		const closing = (server?: Server) =>
			new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
		await Promise.all([closing(this.server), closing(this.toolsServer)]);
	}

	private takeFault(method: string, decodedPath: string): (Fault & { used: number }) | undefined {
		for (const fault of this.faults) {
			if ((fault.times ?? 1) <= fault.used) continue;
			if (fault.method && fault.method !== method) continue;
			if (fault.pathIncludes && !decodedPath.includes(fault.pathIncludes)) continue;
			if ((fault.probability ?? 1) < 1 && Math.random() >= (fault.probability ?? 1)) continue;
			fault.used++;
			return fault;
		}
		return undefined;
	}

	/** Token bucket per account (or other key): capacity = one second of traffic. */
	allow(accountId: string): boolean {
		const rate = this.rateLimitPerSecond;
		if (!(rate > 0)) return true;
		const now = Date.now();
		const bucket = this.buckets.get(accountId) ?? { tokens: rate, updatedAt: now };
		bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
		bucket.updatedAt = now;
		this.buckets.set(accountId, bucket);
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}

	/**
	 * X-RateLimit-* headers as the analytics routes send them (research §2.3; legacy routes send
	 * none). Limit is the per-second rate (60 when the fake's limit is off), Remaining the whole
	 * requests left in the bucket, Reset the Unix time (seconds) when the bucket is full again.
	 */
	private rateLimitHeaders(accountId: string): Record<string, string> {
		const rate = this.rateLimitPerSecond > 0 ? this.rateLimitPerSecond : 60;
		const bucket = this.rateLimitPerSecond > 0 ? this.buckets.get(accountId) : undefined;
		const tokens = bucket?.tokens ?? rate;
		const resetMs = Date.now() + ((rate - tokens) / rate) * 1000;
		return {
			'X-RateLimit-Limit': String(rate),
			'X-RateLimit-Remaining': String(Math.max(0, Math.floor(tokens))),
			'X-RateLimit-Reset': String(Math.ceil(resetMs / 1000)),
		};
	}

	/** The body limit of a request: file uploads get maxFileBytes, everything else maxBodyBytes. */
	private bodyLimit(
		method: string,
		segments: string[],
		mediaType: string,
	): { bytes: number; detail: string } {
		if (mediaType === 'multipart/form-data') {
			if (isGdprPath(segments)) {
				return {
					bytes: this.gdprMaxFileBytes + MULTIPART_ENVELOPE_BYTES,
					detail: `the CSV file must be smaller than ${formatBytes(this.gdprMaxFileBytes)}`,
				};
			}
			const [version, accountsWord, , ...rest] = segments;
			const upload =
				version === 'v2' &&
				accountsWord === 'accounts' &&
				this.routes.some(
					(route) =>
						route.method === method &&
						route.accepts?.includes('multipart') &&
						matchRoute(route.pattern, rest),
				);
			if (upload) {
				return {
					bytes: this.maxFileBytes + MULTIPART_ENVELOPE_BYTES,
					detail: `the uploaded file is larger than the ${formatBytes(this.maxFileBytes)} limit`,
				};
			}
		}
		return {
			bytes: this.maxBodyBytes,
			detail: `the request body is larger than the ${formatBytes(this.maxBodyBytes)} limit`,
		};
	}

	private async handle(req: IncomingMessage, res: ServerResponse, origin: FakeOrigin = 'api') {
		const url = new URL(req.url ?? '/', 'http://fake');
		const rawPath = (req.url ?? '/').split('?')[0];
		const method = (req.method ?? 'GET').toUpperCase();

		if (rawPath.startsWith('/__fake/')) {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			return handleControl(this, method, rawPath, Buffer.concat(chunks).toString('utf8'), res);
		}
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		res.on('close', () => this.inFlight--);

		let segments: string[];
		try {
			segments = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
		} catch {
			segments = rawPath.split('/').filter(Boolean);
		}
		const contentType = String(req.headers['content-type'] ?? '');
		const mediaType = parseMediaType(contentType).type;
		const limit = this.bodyLimit(method, segments, mediaType);
		const read = await readBody(req, limit.bytes);
		// JSON bodies are always parsed for the routes; recordBodies only decides what is kept.
		const isJson = bodyKindOf(mediaType) === 'json';
		const rawBody = this.recordBodies || isJson ? read.buffer.toString('utf8') : '';
		let body: unknown = rawBody;
		if (rawBody && isJson) {
			try {
				body = JSON.parse(rawBody);
			} catch {
				body = rawBody;
			}
		}
		const record: RecordedRequest = {
			origin,
			method,
			rawPath,
			segments,
			query: Object.fromEntries(url.searchParams),
			headers: { ...req.headers },
			body: this.recordBodies ? body : '',
			rawBody: this.recordBodies ? rawBody : '',
			bytes: read.bytes,
			status: 0,
			at: Date.now(),
		};
		this.requests.push(record);
		if (read.aborted) return;

		const responseHeaders: Record<string, string> = {};
		const send = (
			status: number,
			payload?: string | Buffer,
			headers: Record<string, string> = {},
		) => {
			record.status = status;
			res.writeHead(status, {
				...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
				...responseHeaders,
				...headers,
			});
			res.end(payload);
		};

		if (read.tooLarge) {
			// Enforced in front of the API (as a proxy would): before auth, faults and latency.
			send(413, problemBody(413, limit.detail));
			linger(req);
			return;
		}

		const latency = this.options.latencyMs ?? 0;
		if (latency > 0) await delay(latency);

		const fault = this.takeFault(method, segments.join('/'));
		if (fault?.kind === 'latency') await delay(fault.delayMs ?? 0);
		if (fault?.kind === 'drop') {
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'status') {
			const status = fault.status ?? 503;
			return send(status, fault.body ?? problemBody(status, 'injected fault'), {
				...(fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {}),
			});
		}

		try {
			const result = this.dispatch({
				origin,
				method,
				segments,
				body,
				rawBody: read.buffer,
				record,
				req,
				url,
				contentType,
				mediaType,
				responseHeaders,
			});
			if (fault?.kind === 'drop-after-apply') {
				req.socket.destroy();
				return;
			}
			if (result.raw)
				return send(result.status, result.raw.body, { 'Content-Type': result.raw.contentType });
			if (result.status === 204 || result.payload === undefined) return send(result.status);
			return send(result.status, JSON.stringify(result.payload));
		} catch (error) {
			if (error instanceof HttpProblem) {
				return send(
					error.status,
					problemBody(error.status, error.detail, error.title),
					error.headers,
				);
			}
			return send(500, problemBody(500, (error as Error).message));
		}
	}

	private dispatch(input: {
		origin: FakeOrigin;
		method: string;
		segments: string[];
		body: unknown;
		rawBody: Buffer;
		record: RecordedRequest;
		req: IncomingMessage;
		url: URL;
		contentType: string;
		mediaType: string;
		responseHeaders: Record<string, string>;
	}): DispatchResult {
		const {
			origin,
			method,
			segments,
			body,
			rawBody,
			record,
			req,
			url,
			contentType,
			mediaType,
			responseHeaders,
		} = input;
		if (origin === 'tools') {
			return dispatchTools(this, {
				method,
				segments,
				query: Object.fromEntries(url.searchParams),
				body,
				rawBody,
				headers: record.headers,
				record,
			});
		}
		if (segments[0] === '__download')
			return presignedDownload(this.downloads, this.states, { method, segments, req, record, url });

		const kind = rawBody.length ? bodyKindOf(mediaType) : undefined;
		const parseParts = () => {
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
		};

		const [version, accountsWord, accountId, ...rest] = segments;
		const v1Gdpr = isGdprPath(segments);
		if (!v1Gdpr && (!['v1', 'v2'].includes(version) || accountsWord !== 'accounts' || !accountId)) {
			throw new HttpProblem(404, 'Not Found', 'route not found');
		}
		const auth = parseBasic(req.headers.authorization);
		const byKey = auth
			? this.accounts.find(
					(account) => account.apiKey === auth.user && account.apiSecret === auth.password,
				)
			: undefined;
		const byLegacy = auth
			? this.accounts.find(
					(account) => account.legacyApiKey && account.legacyApiKey === auth.user && !auth.password,
				)
			: undefined;

		if (v1Gdpr) {
			if (!auth) {
				throw new HttpProblem(
					401,
					'Unauthorized',
					'a legacy API key is required (Basic auth: the key as user, an empty password)',
				);
			}
			if (!byLegacy) throw new HttpProblem(401, 'Unauthorized', 'invalid legacy API key');
			if (!this.allow(byLegacy.accountId)) throw rateLimited();
			record.accountId = byLegacy.accountId;
			if (method !== 'POST')
				throw new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on this route`);
			return gdprDelete(this, this.state(byLegacy.accountId), {
				kind,
				body,
				parts: kind === 'multipart' ? parseParts() : [],
				contentType,
			});
		}

		const account = this.accounts.find((candidate) => candidate.accountId === accountId);
		if (version === 'v1') {
			// The v1 activity route documents no auth; a key that is sent must be a valid one.
			const caller = byLegacy ?? byKey;
			if (auth && !caller) throw new HttpProblem(401, 'Unauthorized', 'invalid API key');
			if (caller && caller.accountId !== accountId)
				throw new HttpProblem(403, 'Forbidden', 'key is not valid for this account');
			if (!account) throw new HttpProblem(404, 'Not Found', 'account not found');
		} else {
			if (!byKey) throw new HttpProblem(401, 'Unauthorized', 'invalid API key or secret');
			if (byKey.accountId !== accountId) {
				throw new HttpProblem(403, 'Forbidden', 'API key does not have access to this account');
			}
		}
		record.accountId = accountId;
		const analytics = version === 'v2' && rest[0] === 'analytics';
		if (!this.allow(accountId)) {
			if (analytics) throw rateLimited({ ...this.rateLimitHeaders(accountId), 'Retry-After': '1' });
			throw rateLimited();
		}
		if (analytics) Object.assign(responseHeaders, this.rateLimitHeaders(accountId));

		const state = this.state(accountId);
		const baseUrl = `${this.url}/v2/accounts/${encodeURIComponent(accountId)}`;
		const routeSegments = version === 'v1' ? ['v1', ...rest] : rest;
		let status = 200;
		for (const route of this.routes) {
			if (route.method !== method) continue;
			const params = matchRoute(route.pattern, routeSegments);
			if (!params) continue;
			const accepts = route.accepts ?? ['json'];
			if (rawBody.length && !(kind && accepts.includes(kind))) {
				const got = contentType || 'no content type';
				throw new HttpProblem(
					415,
					'Unsupported Media Type',
					accepts.length === 1
						? `expected ${BODY_KIND_TYPES[accepts[0]]}, got ${got}`
						: `expected one of ${accepts.map((accepted) => BODY_KIND_TYPES[accepted]).join(', ')}, got ${got}`,
				);
			}
			const parts = kind === 'multipart' ? parseParts() : [];
			for (const part of parts) {
				if (
					(part.filename !== undefined || part.name === 'file') &&
					part.data.length > this.maxFileBytes
				) {
					throw new HttpProblem(
						413,
						'Payload Too Large',
						`the uploaded file is larger than the ${formatBytes(this.maxFileBytes)} limit`,
					);
				}
			}
			const payload = route.handle({
				params,
				body,
				rawBody,
				mediaType,
				parts,
				query: Object.fromEntries(url.searchParams),
				state,
				account: account!,
				baseUrl,
				status: (code) => (status = code),
				setHeader: (name, value) => (responseHeaders[name] = value),
			});
			return { status, payload };
		}
		const known = this.routes.some((route) => matchRoute(route.pattern, routeSegments));
		throw known
			? new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on this route`)
			: new HttpProblem(404, 'Not Found', 'route not found');
	}
}

function rateLimited(headers: Record<string, string> = {}) {
	// Appcues sends no Retry-After and no rate-limit headers on the legacy routes; analytics
	// routes send both (research §2.3).
	return new HttpProblem(
		429,
		'Too Many Requests',
		'requests from this API key are being throttled due to heavy traffic',
		headers,
	);
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
	const match = /^Basic\s+(.+)$/i.exec(header ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function matchRoute(pattern: string[], segments: string[]): Record<string, string> | undefined {
	if (pattern.length !== segments.length) return undefined;
	const params: Record<string, string> = {};
	for (let index = 0; index < pattern.length; index++) {
		const part = pattern[index];
		if (part.startsWith(':')) params[part.slice(1)] = segments[index];
		else if (part !== segments[index]) return undefined;
	}
	return params;
}

function delay(ms: number) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

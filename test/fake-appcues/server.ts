/**
 * A fake Appcues API: a real HTTP server on 127.0.0.1 that behaves as Appcues' Public API
 * (https://api.appcues.com/v2/docs) and Appcues' own CLI (https://github.com/appcues/cli) describe
 * it: Basic auth with key and secret, account-scoped paths, `{"error": true, "status", "title",
 * "detail"}` error bodies, an account-wide rate limit answered with 429 and no Retry-After, async
 * jobs. Tests, the end-to-end suite and `npm run dev` all use this one server.
 *
 * Faults can be injected (429 bursts, 5xx, dropped connections, latency), and every request is
 * recorded for assertions. A small control API lives under /__fake/ for out-of-process users.
 *
 * Bulk data: body size limits (413), bulk import of NDJSON / CSV / multipart files, segment
 * membership from a CSV file, events and segment membership exports, jobs that finish, fail or
 * never finish, analytics queries and exports with a presigned-style download URL, and GDPR
 * erasure with the legacy key. Where Appcues documents no detail, the fake picks a strict,
 * plausible rule and says so in a comment next to it.
 *
 * This file is the server core and the public entry: the HTTP listener, the settings, and the way
 * a request goes through the fake (body limit, request log, latency and faults, auth, rate limit,
 * route). Each other concern is a module of its own: body limits in limits.ts, body kinds and
 * parsing in body.ts, auth in auth.ts, the rate limit in rate-limit.ts, injected faults and job
 * outcomes in faults.ts, the request log in request-log.ts, the routes in routes/ (one module per
 * resource as in nodes/Appcues/actions/, listed in routes/index.ts), the account state in
 * state.ts and the /__fake/ control API in control.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { accountFor, gdprCaller } from './auth';
import { bodyKindOf, checkBodyKind, decodeBody, multipartParts } from './body';
import { handleControl } from './control';
import { delay, type Fault, JobPlan, RequestFaults, statusFaultResponse, trickle } from './faults';
import {
	type BodyTarget,
	bodyLimit,
	checkFileParts,
	DEFAULT_GDPR_MAX_FILE_BYTES,
	DEFAULT_MAX_BODY_BYTES,
	DEFAULT_MAX_FILE_BYTES,
	linger,
	readBody,
} from './limits';
import { parseMediaType } from './multipart';
import { HttpProblem, problemBody } from './problem';
import { AnalyticsConcurrency, RateLimit, rateLimited } from './rate-limit';
import {
	type FakeOrigin,
	type RecordedRequest,
	type RequestFilter,
	RequestLog,
} from './request-log';
import { buildRoutes } from './routes';
import { type DownloadTokens, presignedDownload } from './routes/analytics';
import { gdprDelete } from './routes/legacy';
import { type DispatchResult, RawBody, type Route } from './routes/route';
import { dispatchTools } from './routes/tools';
import {
	type AccountState,
	type AnalyticsExportRecord,
	createJob,
	DEFAULT_ACCOUNT,
	DEFAULT_JOB_FAILURE,
	emptyState,
	type FakeAccount,
} from './state';

export type { Fault, FaultKind } from './faults';
export {
	DEFAULT_GDPR_MAX_FILE_BYTES,
	DEFAULT_MAX_BODY_BYTES,
	DEFAULT_MAX_FILE_BYTES,
} from './limits';
export { problemBody } from './problem';
export type { FakeOrigin, RecordedRequest } from './request-log';
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

export interface FakeAppcuesOptions {
	accounts?: FakeAccount[];
	/** Account-wide limit; Appcues allows about 60 requests per second. 0 turns it off. */
	rateLimitPerSecond?: number;
	/** Latency added to every request. */
	latencyMs?: number;
	/**
	 * The analytics routes send rate-limit headers (X-RateLimit-*, on a 429 also Retry-After), as
	 * Appcues does (default true); false answers them like every other route, without any.
	 */
	rateLimitHeaders?: boolean;
	/**
	 * Analytics requests one account may have in flight at once. When set, the analytics routes
	 * also send X-Concurrency-Limit and X-Concurrency-Used and answer 429 above the limit (with
	 * the rate-limit headers showing that the rate budget has room). Unset: no limit, no headers.
	 */
	analyticsConcurrency?: number;
	/** How many polls of a job it takes to finish (legacy jobs and analytics exports). */
	jobPollsToFinish?: number;
	/**
	 * How legacy jobs (`GET /jobs/{id}`) report status. 'string' (default): "queued", "running",
	 * then "complete" or "failed". 'numeric': HTTP-like numbers as the Singer tap for Appcues
	 * (cargo-one/tap-appcues) reads them: 202 while queued or running, 200 when done, 422 when
	 * failed.
	 */
	statusStyle?: 'string' | 'numeric';
	/**
	 * Largest request body, in bytes (default 20 MB = 20,000,000 bytes). Appcues documents no limit
	 * for these routes; the fake takes 20 MB. Above it: 413.
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
	 * How `GET screenshots/{id}` delivers the ZIP: 'inline' (default, as the CLI's tests show it)
	 * or 'redirect' (a 302 to a presigned storage URL, which refuses an Authorization header).
	 */
	screenshotDelivery?: 'inline' | 'redirect';
	/**
	 * Keep request bodies in `requests` and imported rows in `imports[].records` (default true).
	 * Turn off for benchmarks, so the fake does not hold every body it received.
	 */
	recordBodies?: boolean;
	seed?: (state: AccountState, account: FakeAccount) => void;
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
	readonly accounts: FakeAccount[];
	readonly states = new Map<string, AccountState>();
	private readonly log = new RequestLog();
	private readonly faults = new RequestFaults();
	private readonly jobPlan = new JobPlan();
	private readonly rateLimit = new RateLimit(() => this.rateLimitPerSecond);
	private readonly analyticsInFlight = new AnalyticsConcurrency();
	/** Download tokens minted by analytics export polls. */
	private readonly downloads: DownloadTokens = new Map();
	private server?: Server;
	private toolsServer?: Server;
	private readonly routes: Route[];
	private readonly sockets = new Set<import('node:net').Socket>();
	url = '';
	/** The account tools origin (mcp.appcues.com of this fake), a second listener. */
	toolsUrl = '';

	/** A copy of the constructor's options: `configure` changes this fake only, not the next one made from the same options. */
	private readonly options: FakeAppcuesOptions;

	constructor(options: FakeAppcuesOptions = {}) {
		this.options = { ...options };
		this.accounts = options.accounts ?? [DEFAULT_ACCOUNT];
		for (const account of this.accounts) {
			const state = emptyState();
			options.seed?.(state, account);
			this.states.set(account.accountId, state);
		}
		this.routes = buildRoutes(this);
	}

	/** Every Appcues request received since the last reset (the control API is not recorded). */
	get requests(): RecordedRequest[] {
		return this.log.requests;
	}

	/** Requests being handled right now. */
	get inFlight() {
		return this.log.inFlight;
	}

	/** The most requests handled at once since the last reset. */
	get maxInFlight() {
		return this.log.maxInFlight;
	}

	get rateLimitPerSecond() {
		return this.options.rateLimitPerSecond ?? 60;
	}

	set rateLimitPerSecond(value: number) {
		this.options.rateLimitPerSecond = value;
		this.rateLimit.clear();
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

	get screenshotDelivery() {
		return this.options.screenshotDelivery ?? 'inline';
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
		if ('rateLimitPerSecond' in settings) this.rateLimit.clear();
	}

	state(accountId = this.accounts[0].accountId): AccountState {
		const state = this.states.get(accountId);
		if (!state) throw new Error(`no account ${accountId}`);
		return state;
	}

	addFault(fault: Fault) {
		this.faults.add(fault);
	}

	clearFaults() {
		this.faults.clear();
	}

	/**
	 * The next `count` jobs created by any route (imports, segment membership, exports, analytics
	 * exports) fail: their final status is "failed" (422 in numeric style) with `detail` (legacy
	 * jobs) or `failure_reason` (analytics exports) set to `reason`. A failing job changes nothing.
	 */
	failNextJobs(count = 1, reason?: string) {
		this.jobPlan.failNext(count, reason);
	}

	/** The next `count` jobs created by any route never finish (and change nothing). */
	stallNextJobs(count = 1) {
		this.jobPlan.stallNext(count);
	}

	/** Forgets planned job failures and stalls. */
	clearJobPlan() {
		this.jobPlan.clear();
	}

	/** The planned outcome of the next job a route creates (consumes the plan). */
	takeJobOutcome(): { outcome: 'ok' | 'fail' | 'stall'; reason?: string } {
		return this.jobPlan.take();
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
		// Appcues documents the file as the JSON rows array a query returns; CSV only when asked.
		const extension = job.spec.format === 'csv' ? 'csv' : 'json';
		return this.mintPresignedUrl(accountId, { jobId: job.job_id }, extension);
	}

	/** Mints a presigned-style storage URL on the fake for an export file or a screenshots ZIP. */
	mintPresignedUrl(
		accountId: string,
		target: { jobId: string } | { screenshotsOf: string },
		extension: 'csv' | 'json' | 'zip',
	) {
		const token = randomUUID().replace(/-/g, '');
		const expiresAt = Date.now() + this.downloadTtlSeconds * 1000;
		const signature = createHash('sha256').update(`${token}:${expiresAt}`).digest('hex');
		this.downloads.set(token, { accountId, ...target, expiresAt, signature });
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
		return {
			download_url: `${this.url}/__download/${token}.${extension}?${query}`,
			expires_at: new Date(expiresAt).toISOString(),
		};
	}

	reset() {
		this.log.clear();
		this.clearFaults();
		this.clearJobPlan();
		this.rateLimit.clear();
	}

	/** Requests for Appcues routes (the control API is not recorded). */
	apiRequests(filter?: RequestFilter) {
		return this.log.filter(filter);
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

	/** Which body limit a request has: multipart to the GDPR route or to an upload route is a file. */
	private bodyTarget(method: string, segments: string[], mediaType: string): BodyTarget {
		if (mediaType !== 'multipart/form-data') return 'body';
		if (isGdprPath(segments)) return 'gdpr-upload';
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
		return upload ? 'upload' : 'body';
	}

	private async handle(req: IncomingMessage, res: ServerResponse, origin: FakeOrigin) {
		const url = new URL(req.url ?? '/', 'http://fake');
		const rawPath = (req.url ?? '/').split('?')[0];
		const method = (req.method ?? 'GET').toUpperCase();

		if (rawPath.startsWith('/__fake/')) {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			return handleControl(this, method, rawPath, Buffer.concat(chunks).toString('utf8'), res);
		}
		this.log.track(res);

		let segments: string[];
		try {
			segments = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
		} catch {
			segments = rawPath.split('/').filter(Boolean);
		}
		const contentType = String(req.headers['content-type'] ?? '');
		const mediaType = parseMediaType(contentType).type;
		const limit = bodyLimit(this, this.bodyTarget(method, segments, mediaType));
		const read = await readBody(req, limit.bytes);
		const { body, rawBody } = decodeBody(read.buffer, mediaType, this.recordBodies);
		const record = this.log.record(
			req,
			{
				origin,
				method,
				rawPath,
				segments,
				body: this.recordBodies ? body : '',
				rawBody: this.recordBodies ? rawBody : '',
				bytes: read.bytes,
			},
			url,
		);
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

		// Analytics requests count against the concurrency limit from the moment they arrive.
		let admitted = true;
		const [version, accountsWord, accountId, area] = segments;
		const concurrency = this.options.analyticsConcurrency;
		if (concurrency && version === 'v2' && accountsWord === 'accounts' && area === 'analytics') {
			const entry = this.analyticsInFlight.enter(accountId, concurrency);
			admitted = entry.admitted;
			res.on('close', entry.leave);
		}
		const latency = this.options.latencyMs ?? 0;
		if (latency > 0) await delay(latency);

		const fault = this.faults.take(method, segments.join('/'));
		if (fault?.kind === 'latency') await delay(fault.delayMs ?? 0);
		if (fault?.kind === 'drop') {
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'status') {
			const answer = statusFaultResponse(fault);
			return send(answer.status, answer.body, answer.headers);
		}

		try {
			const result = this.dispatch({
				origin,
				method,
				segments,
				admitted,
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
			if (fault?.kind === 'trickle' || fault?.kind === 'trickle-head') {
				const payload = Buffer.from(result.raw?.body ?? JSON.stringify(result.payload ?? null));
				record.status = result.status;
				const headers = {
					'Content-Type': result.raw?.contentType ?? 'application/json',
					...responseHeaders,
				};
				const pauseMs = fault.delayMs ?? 100;
				if (fault.kind === 'trickle-head') {
					void trickle(res, payload, pauseMs, { status: result.status, headers });
				} else {
					res.writeHead(result.status, headers);
					void trickle(res, payload, pauseMs);
				}
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
		/** False when an analytics request arrived above the concurrency limit. */
		admitted: boolean;
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
				// The tools origin has a limit of its own, as Appcues' CLI has one client per origin.
				allow: (accountId) => this.rateLimit.allow(`tools:${accountId}`),
			});
		}
		if (segments[0] === '__download')
			return presignedDownload(this.downloads, this.states, { method, segments, req, record, url });

		const kind = rawBody.length ? bodyKindOf(mediaType) : undefined;
		const parseParts = () => multipartParts(rawBody, contentType, record);

		const [version, accountsWord, accountId, ...rest] = segments;
		if (isGdprPath(segments)) {
			const caller = gdprCaller(this.accounts, req.headers.authorization);
			if (!this.rateLimit.allow(caller.accountId)) throw rateLimited();
			record.accountId = caller.accountId;
			if (method !== 'POST')
				throw new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on this route`);
			return gdprDelete(this, this.state(caller.accountId), {
				kind,
				body,
				parts: kind === 'multipart' ? parseParts() : [],
				contentType,
			});
		}
		if (!['v1', 'v2'].includes(version) || accountsWord !== 'accounts' || !accountId) {
			throw new HttpProblem(404, 'Not Found', 'route not found');
		}

		const account = accountFor(this.accounts, req.headers.authorization, version, accountId);
		record.accountId = accountId;
		const analytics = version === 'v2' && rest[0] === 'analytics';
		const withHeaders = analytics && (this.options.rateLimitHeaders ?? true);
		const concurrency = this.options.analyticsConcurrency;
		const limitHeaders = () => ({
			...this.rateLimit.headers(accountId),
			...(concurrency ? this.analyticsInFlight.headers(accountId, concurrency) : {}),
		});
		if (!this.rateLimit.allow(accountId)) {
			throw rateLimited(withHeaders ? { ...limitHeaders(), 'Retry-After': '1' } : {});
		}
		if (!input.admitted) {
			throw rateLimited(withHeaders ? { ...limitHeaders(), 'Retry-After': '1' } : {});
		}
		if (withHeaders) Object.assign(responseHeaders, limitHeaders());

		const state = this.state(accountId);
		const baseUrl = `${this.url}/v2/accounts/${encodeURIComponent(accountId)}`;
		const routeSegments = version === 'v1' ? ['v1', ...rest] : rest;
		let status = 200;
		for (const route of this.routes) {
			if (route.method !== method) continue;
			const params = matchRoute(route.pattern, routeSegments);
			if (!params) continue;
			const accepts = route.accepts ?? ['json'];
			if (rawBody.length) checkBodyKind(kind, accepts, contentType);
			const parts = kind === 'multipart' ? parseParts() : [];
			checkFileParts(parts, this.maxFileBytes);
			const payload: unknown = route.handle({
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
			if (payload instanceof RawBody) return { status, raw: payload };
			return { status, payload };
		}
		const known = this.routes.some((route) => matchRoute(route.pattern, routeSegments));
		throw known
			? new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on this route`)
			: new HttpProblem(404, 'Not Found', 'route not found');
	}
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

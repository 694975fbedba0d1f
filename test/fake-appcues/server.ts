/**
 * A fake Appcues API: a real HTTP server on 127.0.0.1 that behaves as
 * ../shared/research/appcues-api.md describes the real one (Basic auth with key and secret,
 * account-scoped paths, `{"error": true, "status", "title", "detail"}` error bodies, an
 * account-wide rate limit answered with 429 and no Retry-After, async jobs). Tests, the
 * end-to-end suite and `npm run dev` all use this one server.
 *
 * Faults can be injected (429 bursts, 5xx, dropped connections, latency), and every request is
 * recorded for assertions. A small control API lives under /__fake/ for out-of-process users.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAccount {
	accountId: string;
	apiKey: string;
	apiSecret: string;
	legacyApiKey?: string;
}

export interface RecordedRequest {
	method: string;
	/** Raw path as sent, percent-encoding kept. */
	rawPath: string;
	/** Path segments, each decoded once. */
	segments: string[];
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON when the body was JSON, else the raw text. */
	body: unknown;
	rawBody: string;
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
	/** How many polls of a job it takes to finish. */
	jobPollsToFinish?: number;
	seed?: (state: AccountState, account: FakeAccount) => void;
}

export interface UserRecord {
	properties: Record<string, unknown>;
	events: Array<Record<string, unknown>>;
}

export interface JobRecord {
	id: string;
	name: string;
	polls: number;
	finalStatus: string;
	failureReason?: string;
	created_at: string;
	detail?: Record<string, unknown>;
}

export interface AccountState {
	users: Map<string, UserRecord>;
	groups: Map<string, { properties: Record<string, unknown>; users: Set<string> }>;
	segments: Map<string, Record<string, unknown> & { user_ids: Set<string> }>;
	experiences: Map<string, Map<string, Record<string, unknown>>>;
	tags: Map<string, Record<string, unknown>>;
	jobs: Map<string, JobRecord>;
	/** Every event submitted through the v1 activity route, in order. */
	activity: Array<Record<string, unknown>>;
	gdprDeleted: string[];
}

export const EXPERIENCE_TYPES = [
	'flows',
	'flows-v2',
	'checklists',
	'pins',
	'mobile',
	'launchpads',
	'banners',
	'embeds',
	'nps',
];

export const DEFAULT_ACCOUNT: FakeAccount = {
	accountId: '12345',
	apiKey: 'test-key',
	apiSecret: 'test-secret-value-do-not-leak',
	legacyApiKey: 'legacy-key-do-not-leak',
};

class HttpProblem extends Error {
	constructor(
		readonly status: number,
		readonly title: string,
		readonly detail: string,
	) {
		super(detail);
	}
}

function emptyState(): AccountState {
	return {
		users: new Map(),
		groups: new Map(),
		segments: new Map(),
		experiences: new Map(EXPERIENCE_TYPES.map((type) => [type, new Map()])),
		tags: new Map(),
		jobs: new Map(),
		activity: [],
		gdprDeleted: [],
	};
}

const STATUS_TITLES: Record<number, string> = {
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

export function problemBody(status: number, detail: string, title = STATUS_TITLES[status] ?? 'Error') {
	return JSON.stringify({ error: true, status, title, detail });
}

interface Route {
	method: string;
	pattern: string[];
	handle: (ctx: RouteContext) => unknown;
}

interface RouteContext {
	params: Record<string, string>;
	body: unknown;
	query: Record<string, string>;
	state: AccountState;
	account: FakeAccount;
	baseUrl: string;
	status: (code: number) => void;
}

export class FakeAppcues {
	readonly requests: RecordedRequest[] = [];
	readonly accounts: FakeAccount[];
	readonly states = new Map<string, AccountState>();
	private readonly faults: Array<Fault & { used: number }> = [];
	private server?: Server;
	private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();
	private readonly routes: Route[];
	private readonly sockets = new Set<import('node:net').Socket>();
	url = '';

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

	reset() {
		this.requests.length = 0;
		this.clearFaults();
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

	async start(port = 0, host = '127.0.0.1'): Promise<string> {
		this.server = createServer((req, res) => {
			void this.handle(req, res);
		});
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
		const address = this.server.address() as AddressInfo;
		this.url = `http://${host}:${address.port}`;
		return this.url;
	}

	async close() {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
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

	/** Token bucket per account: capacity = one second of traffic. */
	private allow(accountId: string): boolean {
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

	private async handle(req: IncomingMessage, res: ServerResponse) {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', 'http://fake');
		const rawPath = (req.url ?? '/').split('?')[0];
		const method = (req.method ?? 'GET').toUpperCase();

		if (rawPath.startsWith('/__fake/')) return this.control(method, rawPath, rawBody, res);

		let segments: string[];
		try {
			segments = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
		} catch {
			segments = rawPath.split('/').filter(Boolean);
		}
		const contentType = String(req.headers['content-type'] ?? '');
		let body: unknown = rawBody;
		if (rawBody && contentType.includes('json')) {
			try {
				body = JSON.parse(rawBody);
			} catch {
				body = rawBody;
			}
		}
		const record: RecordedRequest = {
			method,
			rawPath,
			segments,
			query: Object.fromEntries(url.searchParams),
			headers: { ...req.headers },
			body,
			rawBody,
			status: 0,
			at: Date.now(),
		};
		this.requests.push(record);

		const send = (status: number, payload?: string, headers: Record<string, string> = {}) => {
			record.status = status;
			res.writeHead(status, {
				...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
				...headers,
			});
			res.end(payload);
		};

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
			const result = this.dispatch(method, segments, body, record, req, url, contentType);
			if (fault?.kind === 'drop-after-apply') {
				req.socket.destroy();
				return;
			}
			if (result.status === 204 || result.payload === undefined) return send(result.status);
			return send(result.status, JSON.stringify(result.payload));
		} catch (error) {
			if (error instanceof HttpProblem) {
				return send(error.status, problemBody(error.status, error.detail, error.title));
			}
			return send(500, problemBody(500, (error as Error).message));
		}
	}

	private dispatch(
		method: string,
		segments: string[],
		body: unknown,
		record: RecordedRequest,
		req: IncomingMessage,
		url: URL,
		contentType: string,
	): { status: number; payload?: unknown } {
		const [version, accountsWord, accountId, ...rest] = segments;
		const v1Gdpr = version === 'v1' && accountsWord === 'gdpr' && accountId === 'delete';
		if (!v1Gdpr && (!['v1', 'v2'].includes(version) || accountsWord !== 'accounts' || !accountId)) {
			throw new HttpProblem(404, 'Not Found', 'route not found');
		}
		const auth = parseBasic(req.headers.authorization);
		const byKey = auth
			? this.accounts.find((account) => account.apiKey === auth.user && account.apiSecret === auth.password)
			: undefined;
		const byLegacy = auth
			? this.accounts.find((account) => account.legacyApiKey && account.legacyApiKey === auth.user && !auth.password)
			: undefined;

		if (v1Gdpr) {
			if (!byLegacy) throw new HttpProblem(401, 'Unauthorized', 'invalid legacy API key');
			if (!this.allow(byLegacy.accountId)) throw rateLimited();
			record.accountId = byLegacy.accountId;
			const users = (body as { users?: unknown })?.users;
			if (!Array.isArray(users) || !users.length) {
				throw new HttpProblem(400, 'Bad Request', 'users must be a non-empty array of user ids');
			}
			this.state(byLegacy.accountId).gdprDeleted.push(...users.map(String));
			return { status: 200, payload: { ok: true, message: `accepted ${users.length} users for deletion` } };
		}

		const account = this.accounts.find((candidate) => candidate.accountId === accountId);
		if (version === 'v1') {
			// The v1 activity route documents no auth; a key that is sent must be a valid one.
			const caller = byLegacy ?? byKey;
			if (auth && !caller) throw new HttpProblem(401, 'Unauthorized', 'invalid API key');
			if (caller && caller.accountId !== accountId) throw new HttpProblem(403, 'Forbidden', 'key is not valid for this account');
			if (!account) throw new HttpProblem(404, 'Not Found', 'account not found');
		} else {
			if (!byKey) throw new HttpProblem(401, 'Unauthorized', 'invalid API key or secret');
			if (byKey.accountId !== accountId) {
				throw new HttpProblem(403, 'Forbidden', 'API key does not have access to this account');
			}
		}
		record.accountId = accountId;
		if (!this.allow(accountId)) throw rateLimited();

		const state = this.state(accountId);
		const baseUrl = `${this.url}/v2/accounts/${encodeURIComponent(accountId)}`;
		const routeSegments = version === 'v1' ? ['v1', ...rest] : rest;
		if (record.rawBody && !contentType.includes('json')) {
			throw new HttpProblem(415, 'Unsupported Media Type', `expected application/json, got ${contentType || 'no content type'}`);
		}
		let status = 200;
		for (const route of this.routes) {
			if (route.method !== method) continue;
			const params = matchRoute(route.pattern, routeSegments);
			if (!params) continue;
			const payload = route.handle({
				params,
				body,
				query: Object.fromEntries(url.searchParams),
				state,
				account: account!,
				baseUrl,
				status: (code) => (status = code),
			});
			return { status, payload };
		}
		const known = this.routes.some((route) => matchRoute(route.pattern, routeSegments));
		throw known
			? new HttpProblem(405, 'Method Not Allowed', `${method} is not allowed on this route`)
			: new HttpProblem(404, 'Not Found', 'route not found');
	}

	private control(method: string, rawPath: string, rawBody: string, res: ServerResponse) {
		const json = (status: number, payload: unknown) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(payload));
		};
		const body = rawBody ? JSON.parse(rawBody) : {};
		if (method === 'GET' && rawPath === '/__fake/ready') return json(200, { ok: true });
		if (method === 'GET' && rawPath === '/__fake/requests') return json(200, this.requests);
		if (method === 'POST' && rawPath === '/__fake/reset') {
			this.reset();
			return json(200, { ok: true });
		}
		if (method === 'POST' && rawPath === '/__fake/faults') {
			for (const fault of Array.isArray(body) ? body : [body]) {
				this.addFault({ ...fault, times: fault.times === null || fault.times === 'Infinity' ? Infinity : fault.times });
			}
			return json(200, { ok: true });
		}
		if (method === 'POST' && rawPath === '/__fake/settings') {
			if (typeof body.rateLimitPerSecond === 'number') this.rateLimitPerSecond = body.rateLimitPerSecond;
			if (typeof body.latencyMs === 'number') this.latencyMs = body.latencyMs;
			return json(200, { ok: true });
		}
		if (method === 'GET' && rawPath.startsWith('/__fake/state/')) {
			const state = this.states.get(decodeURIComponent(rawPath.slice('/__fake/state/'.length)));
			if (!state) return json(404, { error: 'no such account' });
			return json(200, serializeState(state));
		}
		return json(404, { error: 'unknown control route' });
	}
}

function rateLimited() {
	// Appcues sends no Retry-After and no rate-limit headers on these routes.
	return new HttpProblem(429, 'Too Many Requests', 'requests from this API key are being throttled due to heavy traffic');
}

export function serializeState(state: AccountState) {
	const mapToObject = <T>(map: Map<string, T>, convert: (value: T) => unknown = (value) => value) =>
		Object.fromEntries([...map].map(([key, value]) => [key, convert(value)]));
	return {
		users: mapToObject(state.users),
		groups: mapToObject(state.groups, (group) => ({ ...group, users: [...group.users] })),
		segments: mapToObject(state.segments, (segment) => ({ ...segment, user_ids: [...segment.user_ids] })),
		experiences: mapToObject(state.experiences, (byId) => mapToObject(byId)),
		tags: mapToObject(state.tags),
		jobs: mapToObject(state.jobs),
		activity: state.activity,
		gdprDeleted: state.gdprDeleted,
	};
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

function objectBody(body: unknown, what: string): Record<string, unknown> {
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		throw new HttpProblem(400, 'Bad Request', `${what} must be a JSON object`);
	}
	return body as Record<string, unknown>;
}

function userIdsBody(body: unknown): string[] {
	const ids = objectBody(body, 'body').user_ids;
	if (!Array.isArray(ids) || !ids.length || ids.some((id) => typeof id !== 'string' || !id)) {
		throw new HttpProblem(400, 'Bad Request', 'user_ids must be a non-empty array of strings');
	}
	return ids as string[];
}

function isTimestamp(value: unknown): boolean {
	if (typeof value === 'number') return Number.isFinite(value);
	return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

export function createJob(
	state: AccountState,
	baseUrl: string,
	name: string,
	finalStatus = 'complete',
	detail?: Record<string, unknown>,
) {
	const id = randomUUID();
	state.jobs.set(id, { id, name, polls: 0, finalStatus, created_at: new Date().toISOString(), detail });
	return { job_id: id, job_url: `${baseUrl}/jobs/${id}`, status: 202, title: 'Accepted' };
}

function buildRoutes(fake: FakeAppcues): Route[] {
	const user = (state: AccountState, userId: string) => {
		let record = state.users.get(userId);
		if (!record) {
			record = { properties: {}, events: [] };
			state.users.set(userId, record);
		}
		return record;
	};
	const segmentOf = (state: AccountState, id: string) => {
		const segment = state.segments.get(id);
		if (!segment) throw new HttpProblem(404, 'Not Found', `segment ${id} not found`);
		return segment;
	};
	const publicSegment = (segment: Record<string, unknown> & { user_ids: Set<string> }, baseUrl: string) => {
		const { user_ids, ...rest } = segment;
		return { ...rest, url: `${baseUrl}/segments/${encodeURIComponent(String(segment.id))}`, user_count: user_ids.size };
	};
	const experienceOf = (state: AccountState, type: string, id: string) => {
		const experience = state.experiences.get(type)?.get(id);
		if (!experience) throw new HttpProblem(404, 'Not Found', `${type} ${id} not found`);
		return experience;
	};
	const jobView = (job: JobRecord, baseUrl: string) => {
		const finished = job.polls >= fake.jobPollsToFinish;
		const status = finished ? job.finalStatus : job.polls === 0 ? 'queued' : 'running';
		return {
			id: job.id,
			name: job.name,
			status,
			started_at: job.created_at,
			url: `${baseUrl}/jobs/${job.id}`,
			...(finished && job.failureReason ? { detail: job.failureReason } : {}),
			...(job.detail ?? {}),
		};
	};
	const now = () => new Date().toISOString();

	const routes: Route[] = [
		{
			method: 'GET',
			pattern: ['users', ':userId', 'profile'],
			handle: ({ params, state }) => {
				const record = state.users.get(params.userId);
				if (!record) throw new HttpProblem(404, 'Not Found', `user ${params.userId} not found`);
				return { user_id: params.userId, ...record.properties };
			},
		},
		{
			method: 'PATCH',
			pattern: ['users', ':userId', 'profile'],
			handle: ({ params, state, body }) => {
				Object.assign(user(state, params.userId).properties, objectBody(body, 'profile update'));
				return { status: 200 };
			},
		},
		{
			method: 'DELETE',
			pattern: ['users', ':userId', 'profile'],
			handle: ({ params, state, status }) => {
				if (!state.users.delete(params.userId)) {
					throw new HttpProblem(404, 'Not Found', `user ${params.userId} not found`);
				}
				status(204);
			},
		},
		{
			method: 'GET',
			pattern: ['users', ':userId', 'events'],
			handle: ({ params, state, query }) => {
				const events = [...(state.users.get(params.userId)?.events ?? [])].reverse();
				const limit = query.limit ? Number(query.limit) : 100;
				return events.slice(0, limit);
			},
		},
		{
			method: 'POST',
			pattern: ['users', ':userId', 'events'],
			handle: ({ params, state, body }) => {
				const event = objectBody(body, 'event');
				if (typeof event.name !== 'string' || !event.name) throw new HttpProblem(400, 'Bad Request', 'name is required');
				if (!isTimestamp(event.timestamp)) throw new HttpProblem(400, 'Bad Request', 'timestamp must be ISO 8601 or Unix time');
				user(state, params.userId).events.push(event);
				if (typeof event.group_id === 'string') {
					const group = state.groups.get(event.group_id) ?? { properties: {}, users: new Set<string>() };
					group.users.add(params.userId);
					state.groups.set(event.group_id, group);
				}
				return { status: 200 };
			},
		},
		{
			method: 'POST',
			pattern: ['v1', 'users', ':userId', 'activity'],
			handle: ({ params, state, body }) => {
				const activity = objectBody(body, 'activity');
				const events = activity.events;
				if (events !== undefined && !Array.isArray(events)) throw new HttpProblem(400, 'Bad Request', 'events must be an array');
				for (const event of (events as Array<Record<string, unknown>>) ?? []) {
					if (typeof event.name !== 'string' || !event.name || event.name.length > 127) {
						throw new HttpProblem(400, 'Bad Request', 'every event needs a name of at most 127 characters');
					}
					if (!isTimestamp(event.timestamp)) throw new HttpProblem(400, 'Bad Request', 'event timestamp must be ISO 8601 or Unix time');
				}
				const record = user(state, params.userId);
				for (const event of (events as Array<Record<string, unknown>>) ?? []) {
					record.events.push(event);
					state.activity.push({ user_id: params.userId, ...event });
				}
				if (activity.profile_update !== undefined) Object.assign(record.properties, objectBody(activity.profile_update, 'profile_update'));
				return activity.request_id !== undefined ? { request_id: activity.request_id } : true;
			},
		},
		{
			method: 'GET',
			pattern: ['groups', ':groupId', 'profile'],
			handle: ({ params, state }) => {
				const group = state.groups.get(params.groupId);
				if (!group) throw new HttpProblem(404, 'Not Found', `group ${params.groupId} not found`);
				return { group_id: params.groupId, ...group.properties };
			},
		},
		{
			method: 'PATCH',
			pattern: ['groups', ':groupId', 'profile'],
			handle: ({ params, state, body }) => {
				const group = state.groups.get(params.groupId) ?? { properties: {}, users: new Set<string>() };
				Object.assign(group.properties, objectBody(body, 'group update'));
				state.groups.set(params.groupId, group);
				return { status: 200 };
			},
		},
		{
			method: 'POST',
			pattern: ['groups', ':groupId', 'users'],
			handle: ({ params, state, body, status }) => {
				const ids = userIdsBody(body);
				const group = state.groups.get(params.groupId) ?? { properties: {}, users: new Set<string>() };
				ids.forEach((id) => group.users.add(id));
				state.groups.set(params.groupId, group);
				status(204);
			},
		},
		{
			method: 'GET',
			pattern: ['segments'],
			handle: ({ state, baseUrl }) => [...state.segments.values()].map((segment) => publicSegment(segment, baseUrl)),
		},
		{
			method: 'POST',
			pattern: ['segments'],
			handle: ({ state, body, baseUrl }) => {
				const input = objectBody(body, 'segment');
				if (typeof input.name !== 'string' || !input.name.trim()) throw new HttpProblem(400, 'Bad Request', 'name is required');
				const id = `-${randomUUID().replace(/-/g, '').slice(0, 19)}`;
				const segment = {
					id,
					name: input.name,
					description: typeof input.description === 'string' ? input.description : null,
					created_at: now(),
					updated_at: now(),
					user_ids: new Set<string>(),
				};
				state.segments.set(id, segment);
				return publicSegment(segment, baseUrl);
			},
		},
		{
			method: 'GET',
			pattern: ['segments', ':segmentId'],
			handle: ({ params, state, baseUrl }) => publicSegment(segmentOf(state, params.segmentId), baseUrl),
		},
		{
			method: 'PATCH',
			pattern: ['segments', ':segmentId'],
			handle: ({ params, state, body, baseUrl }) => {
				const segment = segmentOf(state, params.segmentId);
				const input = objectBody(body, 'segment');
				for (const key of Object.keys(input)) {
					if (!['name', 'description'].includes(key)) throw new HttpProblem(400, 'Bad Request', `unknown field ${key}`);
				}
				Object.assign(segment, input, { updated_at: now() });
				return publicSegment(segment, baseUrl);
			},
		},
		{
			method: 'DELETE',
			pattern: ['segments', ':segmentId'],
			handle: ({ params, state, status }) => {
				segmentOf(state, params.segmentId);
				state.segments.delete(params.segmentId);
				status(204);
			},
		},
		...(['add_user_ids', 'remove_user_ids'] as const).map(
			(action): Route => ({
				method: 'POST',
				pattern: ['segments', ':segmentId', action],
				handle: ({ params, state, body, baseUrl, status }) => {
					const segment = segmentOf(state, params.segmentId);
					const ids = userIdsBody(body);
					ids.forEach((id) => (action === 'add_user_ids' ? segment.user_ids.add(id) : segment.user_ids.delete(id)));
					status(202);
					return createJob(state, baseUrl, `segment ${action}`);
				},
			}),
		),
		...EXPERIENCE_TYPES.flatMap((type): Route[] => [
			{
				method: 'GET',
				pattern: [type],
				handle: ({ state }) => [...(state.experiences.get(type)?.values() ?? [])],
			},
			{
				method: 'GET',
				pattern: [type, ':id'],
				handle: ({ params, state }) => experienceOf(state, type, params.id),
			},
			...(['publish', 'unpublish'] as const).map(
				(action): Route => ({
					method: 'POST',
					pattern: [type, ':id', action],
					handle: ({ params, state, body }) => {
						if (body !== '' && body !== undefined) throw new HttpProblem(400, 'Bad Request', `${action} takes no body`);
						const experience = experienceOf(state, type, params.id);
						experience.published = action === 'publish';
						experience.updated_at = now();
						return {};
					},
				}),
			),
		]),
		{
			method: 'GET',
			pattern: ['tags'],
			handle: ({ state }) => [...state.tags.values()],
		},
		{
			method: 'GET',
			pattern: ['tags', ':tagId'],
			handle: ({ params, state }) => {
				const tag = state.tags.get(params.tagId);
				if (!tag) throw new HttpProblem(404, 'Not Found', `tag ${params.tagId} not found`);
				return tag;
			},
		},
		{
			method: 'GET',
			pattern: ['jobs'],
			handle: ({ state, baseUrl }) => [...state.jobs.values()].map((job) => jobView(job, baseUrl)),
		},
		{
			method: 'GET',
			pattern: ['jobs', ':jobId'],
			handle: ({ params, state, baseUrl }) => {
				const job = state.jobs.get(params.jobId);
				if (!job) throw new HttpProblem(404, 'Not Found', 'no such job');
				const view = jobView(job, baseUrl);
				job.polls++;
				return view;
			},
		},
	];
	return routes;
}

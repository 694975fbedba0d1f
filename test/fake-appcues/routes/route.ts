/**
 * The shape every route module exports, and the small helpers the route modules share. A route
 * module (one per resource, as in nodes/Appcues/actions/) is a function of the fake that returns
 * its routes; routes/index.ts lists the modules in the order the server matches them.
 */
import type { MultipartPart } from '../multipart';
import { badRequest, HttpProblem } from '../problem';
import type { FakeAppcues } from '../server';
import type { AccountState, FakeAccount } from '../state';

/** What a route accepts as a non-empty body. */
export type BodyKind = 'json' | 'ndjson' | 'csv' | 'multipart';

export interface Route {
	method: string;
	pattern: string[];
	/** Body kinds accepted; JSON only when absent. A route that takes multipart takes file uploads. */
	accepts?: BodyKind[];
	handle: (ctx: RouteContext) => unknown;
}

export interface RouteContext {
	params: Record<string, string>;
	body: unknown;
	/** The body bytes as received. */
	rawBody: Buffer;
	/** Lower-cased media type of the request, '' when none. */
	mediaType: string;
	/** Parts of a multipart/form-data body; empty otherwise. */
	parts: MultipartPart[];
	query: Record<string, string>;
	state: AccountState;
	account: FakeAccount;
	baseUrl: string;
	status: (code: number) => void;
	setHeader: (name: string, value: string) => void;
}

export interface DispatchResult {
	status: number;
	payload?: unknown;
	/** A non-JSON body (downloads). */
	raw?: { body: string | Buffer; contentType: string };
}

/** A route's answer that is not JSON (a file): sent as it is, with its content type. */
export class RawBody {
	constructor(
		readonly body: string | Buffer,
		readonly contentType: string,
	) {}
}

/** A route module: the routes of one resource. */
export type RouteModule = (fake: FakeAppcues) => Route[];

export function objectBody(body: unknown, what: string): Record<string, unknown> {
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		throw new HttpProblem(400, 'Bad Request', `${what} must be a JSON object`);
	}
	return body as Record<string, unknown>;
}

export function userIdsBody(body: unknown): string[] {
	const ids = objectBody(body, 'body').user_ids;
	if (!Array.isArray(ids) || !ids.length || ids.some((id) => typeof id !== 'string' || !id)) {
		throw new HttpProblem(400, 'Bad Request', 'user_ids must be a non-empty array of strings');
	}
	return ids as string[];
}

export function isTimestamp(value: unknown): boolean {
	if (typeof value === 'number') return Number.isFinite(value);
	return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

export function checkEmail(email: unknown) {
	if (
		email !== undefined &&
		!(typeof email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
	) {
		throw badRequest('email must be an email address');
	}
}

/** The user record, created empty when the account has none yet. */
export const ensureUser = (state: AccountState, userId: string) => {
	let record = state.users.get(userId);
	if (!record) {
		record = { properties: {}, events: [] };
		state.users.set(userId, record);
	}
	return record;
};

/** File part of a multipart upload; 400 when there is none. */
export const filePart = (parts: MultipartPart[]) => {
	const file = parts.find((part) => part.name === 'file');
	if (!file) throw badRequest('the multipart body needs a part named "file"');
	return file;
};

export const now = () => new Date().toISOString();

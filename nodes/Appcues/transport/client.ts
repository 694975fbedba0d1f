import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	answerTooLargeError,
	apiErrorFromResponse,
	connectionError,
	isMarkupAnswer,
	mayHaveBeenAppliedError,
	notJsonError,
	redirectError,
} from './errors';
import type { ByteStream } from './download';
import {
	ByteAllowance,
	DownloadTooLarge,
	ERROR_BODY_BYTES,
	readAtMost,
	readBody,
} from './download';
import { encodeSegment, isUnsafeSegment } from './paths';
import { baseUrlFor, baseUrlProblem, TOOLS_PATH, toolsBaseUrlFor } from './region';
import {
	classifyConnectionError,
	DEFAULT_RETRY_POLICY,
	handleFailure,
	MAYBE_APPLIED_STATUSES,
	parseRetryAfter,
	retryDelayMs,
	type RetryPolicy,
	THROTTLED_RETRY_FACTOR,
	throttledRetryDelayMs,
	waitBeforeRetry,
} from './retry';
import { ACCOUNT_REQUESTS_PER_SECOND, accountBudget, accountKey } from './accountBudget';
import { Pacer } from './pacer';
import { readRateLimitHeaders } from './rateLimitHeaders';

export const CREDENTIAL_TYPE = 'appcuesApi';

export type AppcuesContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface ClientSettings extends RetryPolicy {
	requestsPerSecond: number;
	timeoutMs: number;
}

/**
 * The largest answer read from the API, so that one answer of a broken or hostile server cannot
 * fill n8n's memory: Appcues' lists are not paged, yet far below this; files are downloads with limits of
 * their own. (Beyond about 512 MB the text could not even be held as one string.)
 */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/**
 * What the answers one node run reads at once may hold together: with many requests in flight,
 * a hostile server could otherwise make n8n hold Concurrency times MAX_ANSWER_BYTES.
 */
export const MAX_HELD_ANSWER_BYTES = 2 * MAX_ANSWER_BYTES;

/** The first buffer of an answer that declares no length: most answers are a few KB. */
const FIRST_ANSWER_BUFFER_BYTES = 16 * 1024;

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
	...DEFAULT_RETRY_POLICY,
	requestsPerSecond: 60,
	timeoutMs: 30_000,
};

/**
 * - `v2`: the Public API, below `/v2/accounts/{accountId}`, Basic auth with key and secret.
 * - `v1`: legacy calls below `/v1/accounts/{accountId}`.
 * - `root`: a path used as given (legacy calls that are not account-scoped).
 * - `tools`: the account tools service, on its own origin (mcp.appcues.com), below `/v1/tools`;
 *   the credential sends the key and secret there in the `appcues-api-key` header.
 */
export type ApiScope = 'v2' | 'v1' | 'root' | 'tools';

export interface AppcuesRequest {
	method: IHttpRequestMethods;
	/** Built with the `path` tag, so user input is already encoded. */
	path: string;
	scope?: ApiScope;
	/**
	 * `legacyKey`: Basic auth with the legacy API key as user and an empty password. `none`: no
	 * credentials at all (routes that document none).
	 */
	auth?: 'apiKey' | 'legacyKey' | 'none';
	qs?: IDataObject;
	body?: IHttpRequestOptions['body'];
	headers?: IDataObject;
	itemIndex?: number;
	/**
	 * Answer a successful body as a stream, not parsed (files). An error answer is still read (its
	 * first few KB) for the error message.
	 */
	stream?: boolean;
	/**
	 * `return`: a 3xx answer is returned to the caller instead of refused; the caller follows it
	 * itself, without credentials. Never followed here.
	 */
	redirects?: 'refuse' | 'return';
	abortSignal?: AbortSignal;
}

export interface AppcuesResponse<T = unknown> {
	statusCode: number;
	headers: IDataObject;
	body: T;
	/** The URL requested (set on a returned redirect, to resolve a relative location). */
	url?: string;
}

/**
 * The one way this package talks to Appcues: base URL from the region, throttle, retries with
 * backoff and Retry-After, and readable errors. Operations stay thin on top of it.
 */
export class AppcuesClient {
	/** The promise, not the value: concurrent first requests share one credential load. */
	private credentials?: Promise<ICredentialDataDecryptedObject>;

	/** Max Requests per Second of this node, when it is below the account's budget. */
	private readonly nodeLimit?: Pacer;

	/** The memory the answers being read at once share (see MAX_HELD_ANSWER_BYTES). */
	private readonly answerBytes = new ByteAllowance(MAX_HELD_ANSWER_BYTES);

	constructor(
		private readonly context: AppcuesContext,
		readonly settings: ClientSettings = DEFAULT_CLIENT_SETTINGS,
	) {
		if (settings.requestsPerSecond < ACCOUNT_REQUESTS_PER_SECOND)
			this.nodeLimit = new Pacer(settings.requestsPerSecond);
	}

	private get node(): INode {
		return this.context.getNode();
	}

	async getCredentials(): Promise<ICredentialDataDecryptedObject> {
		this.credentials ??= this.context.getCredentials(CREDENTIAL_TYPE);
		return await this.credentials;
	}

	/**
	 * Starts loading the credential (a database read and a decryption in n8n) without waiting, so
	 * it overlaps the work before the first request; an error surfaces with that request.
	 */
	prefetchCredentials(): void {
		this.getCredentials().catch(() => undefined);
	}

	async hasLegacyKey(): Promise<boolean> {
		return Boolean(String((await this.getCredentials()).legacyApiKey ?? '').trim());
	}

	/** Sends the request and returns the parsed body (undefined when Appcues sends none). */
	async request<T = unknown>(request: AppcuesRequest): Promise<T> {
		return (await this.requestFull<T>(request)).body;
	}

	async requestFull<T = unknown>(request: AppcuesRequest): Promise<AppcuesResponse<T>> {
		const credentials = await this.getCredentials();
		const baseUrl = this.originFor(request, credentials);
		const fullPath = this.fullPath(request, credentials);
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${baseUrl}${fullPath}`,
			qs: request.qs,
			body: request.body,
			headers: request.headers,
			json: !request.stream && !isRawBody(request.body),
			// Every answer arrives as a stream and is read here (readAnswer): so that Request
			// Timeout bounds the whole answer, not only each pause in it, and its size is capped.
			encoding: 'stream',
			...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: this.settings.timeoutMs,
			// Appcues' API never redirects: a 3xx is returned here and refused below, so the
			// credentials never follow one (to another host, or from https to http), and a file
			// streamed from n8n's binary store is never kept whole in memory for a replay.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		};
		const credentialOverride =
			request.auth === 'legacyKey'
				? this.legacyCredentials(credentials, request.itemIndex)
				: this.loadedCredentials(credentials);
		const described = {
			method: request.method,
			path: fullPath,
			host: new URL(baseUrl).host,
			url: options.url,
		};

		// The account's budget, shared with every execution in this process (looked up each time:
		// an idle budget may have been dropped meanwhile).
		const budgetKey = accountKey(baseUrl, String(credentials.accountId ?? '').trim());
		// Whether an earlier attempt may have been applied (a DELETE then finds nothing to delete).
		let mayHaveApplied = false;
		for (let attempt = 0; ; attempt++) {
			const nodeSlot = await this.nodeLimit?.acquire();
			const budget = accountBudget(budgetKey);
			const slot = await budget.acquire();
			// Request Timeout for this attempt, from sending to the answer's last byte: axios's own
			// timeout only bounds each pause, so a server that sends its headers or body a byte at a
			// time would never reach it.
			const deadline = AbortSignal.timeout(this.settings.timeoutMs);
			let response: AppcuesResponse<T> | undefined;
			let failure: unknown;
			let brokeOff = false;
			try {
				response = await untilDeadline(
					(request.auth === 'none'
						? this.context.helpers.httpRequest({ ...options })
						: this.context.helpers.httpRequestWithAuthentication.call(
								this.context,
								CREDENTIAL_TYPE,
								{ ...options },
								credentialOverride,
							)) as Promise<AppcuesResponse<T>>,
					deadline,
					request.abortSignal,
				);
			} catch (error) {
				failure = error;
			}
			const now = Date.now();
			if (response) {
				if (nodeSlot) this.nodeLimit?.settle(nodeSlot, now);
				budget.onAnswer(
					slot,
					response.statusCode === 429,
					readRateLimitHeaders(response.headers, now),
				);
				try {
					response.body = (await this.readAnswer(response, request, deadline)) as T;
				} catch (error) {
					if (error instanceof DownloadTooLarge) {
						throw answerTooLargeError(
							this.node,
							response.statusCode,
							error.together ? MAX_HELD_ANSWER_BYTES : MAX_ANSWER_BYTES,
							described,
							request.itemIndex,
							error.together,
						);
					}
					failure = error;
					brokeOff = true;
					response = undefined;
				}
			}
			if (!response) {
				// The answer did not come, or broke off: a network failure, or Request Timeout. An
				// answer that broke off for any other reason (a corrupt compressed body) still says
				// the request arrived, so it counts as a connection lost after sending.
				const code = deadline.aborted
					? 'ETIMEDOUT'
					: (connectionErrorCode(failure) ?? (brokeOff ? 'ECONNRESET' : undefined));
				const connection = classifyConnectionError(code);
				const handling = connection && handleFailure(request.method, { connection });
				if (handling === 'retry' && attempt < this.settings.maxRetries) {
					mayHaveApplied ||= connection === 'maybe-sent';
					// A caller that gave up (its own deadline, or a cancel) gets no further attempt.
					const delay = retryDelayMs(attempt, this.settings, undefined);
					if (await waitBeforeRetry(delay, request.abortSignal)) continue;
				}
				if (connection) {
					throw connectionError(
						this.node,
						code ?? 'connection error',
						described,
						attempt + 1,
						handling === 'may-have-applied',
						request.itemIndex,
					);
				}
				// Not a network failure (a bug or an unexpected helper error): keep the message only,
				// since the original error object carries the request options with the credentials.
				throw new NodeOperationError(
					this.node,
					`Request to Appcues failed: ${safeMessage(failure, credentials)}`,
					{
						itemIndex: request.itemIndex,
						description: `Request: ${described.method} ${described.path}`,
					},
				);
			}

			const status = response.statusCode;
			if (status >= 200 && status < 300) {
				// A JSON answer arrives parsed; a page here (HTML or XML) came from another server at
				// the Base URL (a website, a login portal), never from Appcues.
				if (!request.stream && isMarkupAnswer(response.body, response.headers?.['content-type'])) {
					throw notJsonError(
						this.node,
						status,
						redactedBody(response.headers?.['content-type'], credentials),
						described,
						request.itemIndex,
					);
				}
				return response;
			}
			if (status >= 300 && status < 400 && request.redirects === 'return') {
				return { ...response, url: options.url };
			}
			if (status >= 300 && status < 400) {
				throw redirectError(
					this.node,
					status,
					response.headers?.location,
					described,
					request.itemIndex,
				);
			}
			if (status === 404 && mayHaveApplied && request.method === 'DELETE') {
				// The attempt whose answer was lost deleted it: what the user asked for is done.
				this.context.logger?.debug(
					`Appcues: ${described.method} ${described.path} answered 404 after an attempt that may ` +
						'have gone through: counted as deleted',
				);
				return { ...response, statusCode: 204, body: undefined as T };
			}
			const handling = handleFailure(request.method, { status });
			if (handling === 'retry' && attempt < this.retryBudget(status)) {
				mayHaveApplied ||= MAYBE_APPLIED_STATUSES.has(status);
				const retryAfter = parseRetryAfter(response.headers?.['retry-after'], now);
				const delay =
					status === 429
						? throttledRetryDelayMs(attempt, this.settings, retryAfter, budget.backgroundShare > 0)
						: retryDelayMs(attempt, this.settings, retryAfter);
				// A caller that gave up (before or while waiting) gets this answer's error instead.
				if (await waitBeforeRetry(delay, request.abortSignal)) continue;
			}
			// A server may echo what it was sent (the Authorization header) in its error.
			const answer = redactedBody(response.body, credentials);
			if (handling === 'may-have-applied') {
				throw mayHaveBeenAppliedError(this.node, status, answer, described, request.itemIndex);
			}
			throw apiErrorFromResponse(this.node, status, answer, described, request.itemIndex);
		}
	}

	/**
	 * The body of an answer, read from its stream within the attempt's deadline: a success whole
	 * (up to MAX_ANSWER_BYTES) and parsed as n8n's helper would (JSON when it is JSON, else the
	 * text); an error only its first few KB, enough for Appcues' message (reading it also frees the
	 * connection of an answer that is retried). An error whose body breaks off or is late keeps its
	 * status, with no message: a 429 stays a 429 (never applied), not a timeout after sending. A
	 * file (`stream`) is left to its caller.
	 */
	private async readAnswer(
		response: AppcuesResponse,
		request: AppcuesRequest,
		deadline: AbortSignal,
	): Promise<unknown> {
		const ok = response.statusCode >= 200 && response.statusCode < 300;
		const { body } = response;
		if (ok && request.stream) return body;
		// An answer already read (a helper that does not stream): as it is.
		if (!isByteStream(body)) return body;
		const signal = request.abortSignal
			? AbortSignal.any([request.abortSignal, deadline])
			: deadline;
		const bytes = ok
			? await readBody(
					{ body, headers: response.headers },
					MAX_ANSWER_BYTES,
					signal,
					FIRST_ANSWER_BUFFER_BYTES,
					this.answerBytes,
				)
			: await readAtMost(body, ERROR_BODY_BYTES, false, signal).catch(() => Buffer.alloc(0));
		return parsedAnswer(bytes);
	}

	/**
	 * A 429 means Appcues did not apply the request, so it is always safe to send again: it gets
	 * a larger budget than other failures, enough that a storm of throttling loses no item.
	 */
	private retryBudget(status: number): number {
		return status === 429
			? this.settings.maxRetries * THROTTLED_RETRY_FACTOR
			: this.settings.maxRetries;
	}

	/** The checked origin of the request: the API's, or the account tools' for scope `tools`. */
	private originFor(request: AppcuesRequest, credentials: ICredentialDataDecryptedObject): string {
		const tools = request.scope === 'tools';
		const field = tools ? 'Tools Base URL' : 'Base URL';
		const origin = tools ? toolsBaseUrlFor(credentials) : baseUrlFor(credentials);
		if (!origin) {
			throw new NodeOperationError(this.node, `The Appcues credential has no ${field}`, {
				description: `The region is set to Custom Base URL, so the ${field} field must be filled in.`,
				itemIndex: request.itemIndex,
			});
		}
		const refused = baseUrlProblem(origin, field);
		if (refused) {
			throw new NodeOperationError(this.node, refused, {
				description: `Change the ${field} field of the Appcues credential (Region: Custom Base URL).`,
				itemIndex: request.itemIndex,
			});
		}
		return origin;
	}

	private fullPath(request: AppcuesRequest, credentials: ICredentialDataDecryptedObject): string {
		const scope = request.scope ?? 'v2';
		if (scope === 'root') return request.path;
		if (scope === 'tools') return `${TOOLS_PATH}${request.path}`;
		const accountId = String(credentials.accountId ?? '').trim();
		if (isUnsafeSegment(accountId)) {
			throw new NodeOperationError(this.node, 'The Appcues credential has no valid Account ID', {
				description: 'Find the Account ID in Appcues Studio under Settings > Account.',
				itemIndex: request.itemIndex,
			});
		}
		const account = encodeSegment(accountId);
		return `/${scope}/accounts/${account}${request.path}`;
	}

	/**
	 * The credential this client loaded, handed to n8n with each request: otherwise n8n reads it
	 * from its database and decrypts it again for every request (about a millisecond each, and
	 * tens of milliseconds before the first).
	 */
	private loadedCredentials(credentials: ICredentialDataDecryptedObject) {
		const reference = this.node.credentials?.[CREDENTIAL_TYPE];
		return {
			credentialsDecrypted: {
				id: reference?.id ?? CREDENTIAL_TYPE,
				name: reference?.name ?? CREDENTIAL_TYPE,
				type: CREDENTIAL_TYPE,
				// A copy per request: n8n may add to it while authenticating.
				data: { ...credentials },
			},
		};
	}

	private legacyCredentials(credentials: ICredentialDataDecryptedObject, itemIndex?: number) {
		const legacyApiKey = String(credentials.legacyApiKey ?? '').trim();
		if (!legacyApiKey) {
			throw new NodeOperationError(this.node, 'This operation needs the Legacy API Key', {
				description:
					'Add the legacy (v1) API key to the Appcues credential. It is shown in Appcues Studio ' +
					'under Settings > Integrations > API Keys.',
				itemIndex,
			});
		}
		// The credential's own `authenticate` then sends Basic base64("<legacy key>:").
		return {
			credentialsDecrypted: {
				id: 'appcues-legacy-key',
				name: 'Appcues legacy API key',
				type: CREDENTIAL_TYPE,
				data: { ...credentials, apiKey: legacyApiKey, apiSecret: '' },
			},
		};
	}
}

function isByteStream(body: unknown): body is ByteStream {
	return typeof (body as ByteStream | undefined)?.on === 'function';
}

/**
 * The helper's answer, or a failure once `deadline` passes (or the caller's `cancel` fires) before
 * its headers have all come. n8n's helper with credentials replaces the node's abort signal by the
 * execution's, so the request itself cannot be stopped: it ends in the background when its server
 * stops, and an answer that still comes is closed unread.
 */
async function untilDeadline<T extends { body?: unknown }>(
	answer: Promise<T>,
	deadline: AbortSignal,
	cancel?: AbortSignal,
): Promise<T> {
	const signal = cancel ? AbortSignal.any([cancel, deadline]) : deadline;
	return await new Promise<T>((resolve, reject) => {
		const onDeadline = () => {
			reject(
				new Error(
					deadline.aborted ? 'no answer within Request Timeout' : 'cancelled before any answer',
				),
			);
			answer.then(
				(late) => {
					if (isByteStream(late?.body)) late.body.destroy();
				},
				() => undefined,
			);
		};
		if (signal.aborted) return onDeadline();
		signal.addEventListener('abort', onDeadline, { once: true });
		answer.then(
			(value) => {
				signal.removeEventListener('abort', onDeadline);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onDeadline);
				reject(error);
			},
		);
	});
}

/** As axios reads an answer for n8n: UTF-8 without a BOM, parsed when it is JSON, else the text. */
function parsedAnswer(bytes: Buffer): unknown {
	const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
	if (!text) return text;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

function isRawBody(body: unknown): boolean {
	return (
		typeof body === 'string' ||
		Buffer.isBuffer(body) ||
		body instanceof Blob ||
		(typeof FormData !== 'undefined' && body instanceof FormData)
	);
}

/**
 * n8n's helper wraps network errors in a NodeApiError that drops the original error and replaces
 * its message by a generic sentence, keeping the original message in `messages`. The socket code
 * is read back from whichever of these the running n8n version kept.
 */
const PHRASE_CODES: Array<[RegExp, string]> = [
	[/socket hang up|closed unexpectedly/i, 'ECONNRESET'],
	[/refused the connection/i, 'ECONNREFUSED'],
	[/timed out|timeout/i, 'ETIMEDOUT'],
	[/connection was aborted/i, 'ECONNABORTED'],
	[/host is unreachable/i, 'EHOSTUNREACH'],
	[/incorrect host/i, 'ENOTFOUND'],
	[/DNS server returned an error/i, 'EAI_AGAIN'],
];

function connectionErrorCode(error: unknown): string | undefined {
	const texts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
		const { code, cause, message, messages } = current as {
			code?: unknown;
			cause?: unknown;
			message?: unknown;
			messages?: unknown;
		};
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		if (Array.isArray(messages)) texts.push(...messages.map(String));
		if (typeof message === 'string') texts.push(message);
		current = cause;
	}
	for (const text of texts) {
		const match = /\b(E[A-Z]{2,}(?:_[A-Z]+)*)\b/.exec(text);
		if (match && classifyConnectionError(match[1])) return match[1];
	}
	for (const text of texts) {
		for (const [pattern, code] of PHRASE_CODES) if (pattern.test(text)) return code;
	}
	return undefined;
}

/**
 * The message of an unexpected error without any credential in it: never an Authorization value
 * or an appcues-api-key header, whatever produced the message, nor the secrets themselves.
 */
export function safeMessage(error: unknown, credentials: ICredentialDataDecryptedObject): string {
	return redacted(error instanceof Error ? error.message : String(error), credentials);
}

/**
 * Text with the credential's secrets taken out: the secret, the legacy key and the webhook
 * secret as they are and as Basic auth carries them, with or without padding. With `anyToken`
 * (text a library wrote, which may hold request options), also any Basic, Bearer or
 * appcues-api-key value; not in a server's answer, where "Basic plan" is plain words.
 */
export function redacted(
	text: string,
	credentials: ICredentialDataDecryptedObject,
	{ anyToken = true }: { anyToken?: boolean } = {},
): string {
	const key = String(credentials.apiKey ?? '');
	const secret = String(credentials.apiSecret ?? '');
	const legacy = String(credentials.legacyApiKey ?? '');
	const basic = (user: string, password: string) =>
		Buffer.from(`${user}:${password}`).toString('base64');
	const secrets = [
		secret,
		legacy,
		String(credentials.webhookSecret ?? ''),
		basic(key, secret),
		basic(legacy, ''),
	]
		.filter((value) => value.length >= 4)
		// Base64 without its padding too, as some servers echo it.
		.flatMap((value) => [value, value.replace(/=+$/, '')]);
	let clean = anyToken
		? text
				.replace(/(Basic|Bearer)\s+[A-Za-z0-9+/=._-]+/gi, '$1 [redacted]')
				.replace(/(appcues-api-key["']?\s*[:=]\s*["']?)[A-Za-z0-9+/=._-]+/gi, '$1[redacted]')
		: text;
	for (const value of secrets) clean = clean.split(value).join('[redacted]');
	return clean;
}

const SECRETS_ONLY = { anyToken: false };

/** An answer as a server sent it, with the credential's secrets taken out of its text. */
function redactedBody(body: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	if (typeof body === 'string') return redacted(body, credentials, SECRETS_ONLY);
	if (Buffer.isBuffer(body)) return redacted(body.toString('utf8'), credentials, SECRETS_ONLY);
	if (body && typeof body === 'object') {
		try {
			return JSON.parse(redacted(JSON.stringify(body), credentials, SECRETS_ONLY)) as unknown;
		} catch {
			return undefined;
		}
	}
	return body;
}

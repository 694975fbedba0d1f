import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { AppcuesClient } from './client';
import { isLoopbackHost } from './region';

export interface DownloadLimits {
	/** Longest time for the whole download, from the request to the last byte. */
	timeoutMs: number;
	/** Largest file accepted: the whole file is held in memory until n8n stores it. */
	maxBytes: number;
}

/** What is downloaded, for the error messages. */
export interface DownloadSubject {
	/** e.g. "the export". */
	what: string;
	/** e.g. "The export file". */
	file: string;
	/** How to get a fresh link when the old one failed or expired. */
	again: string;
	/** How to get below the size limit besides raising it. */
	smaller: string;
}

export const EXPORT_DOWNLOAD: DownloadSubject = {
	what: 'the export',
	file: 'The export file',
	again:
		'The download link is valid for one hour; every poll of the export job ' +
		'gives a new one (Job > Download Analytics Export with the job ID).',
	smaller:
		'narrow the export (a shorter time range, fewer dimensions), ' +
		'or turn off Download Result and fetch download_url yourself',
};

export interface DownloadedFile {
	data: Buffer;
	contentType?: string;
}

/** An error answer is read only this far: enough for the host's error message. */
export const ERROR_BODY_BYTES = 4096;

/**
 * A body beyond its size limit (a file, or an API answer); `together` when it is the bodies read
 * at once that passed their shared limit (see ByteAllowance), not this one alone.
 */
export class DownloadTooLarge extends Error {
	constructor(readonly together = false) {
		super(together ? 'bodies read at once too large' : 'body too large');
	}
}

/**
 * Memory that the bodies being read at once may hold together: each takes its buffer's size
 * while it reads and gives it back when it stops, so many large answers in flight (a hostile
 * server and a high Concurrency) cannot hold more than this between them.
 */
export class ByteAllowance {
	private held = 0;

	constructor(readonly maxBytes: number) {}

	/** Takes `bytes` when they fit; otherwise takes nothing and says so. */
	take(bytes: number): boolean {
		if (this.held + bytes > this.maxBytes) return false;
		this.held += bytes;
		return true;
	}

	give(bytes: number): void {
		this.held = Math.max(0, this.held - bytes);
	}

	get heldBytes(): number {
		return this.held;
	}
}

/** The parts of the response stream used here (a Node.js Readable). */
export interface ByteStream {
	on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	on(event: 'end', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	off(event: string, listener: (...args: never[]) => void): unknown;
	destroy(): unknown;
}

interface StreamedResponse {
	body: ByteStream;
	statusCode: number;
	headers: Record<string, string | undefined>;
	url?: string;
}

/** The downloads under way, per node run: each waits for the one before it. */
const downloadQueues = new WeakMap<object, Promise<void>>();

/** Runs `work` once the downloads `key` started before it have finished. */
async function oneAtATime<T>(key: object, work: () => Promise<T>): Promise<T> {
	const before = downloadQueues.get(key) ?? Promise.resolve();
	let done!: () => void;
	const mine = before.then(() => new Promise<void>((resolve) => (done = resolve)));
	downloadQueues.set(key, mine);
	await before;
	try {
		return await work();
	} finally {
		done();
		if (downloadQueues.get(key) === mine) downloadQueues.delete(key);
	}
}

/** Hands a downloaded file to n8n's binary data. */
export type StoreFile = (data: Buffer, contentType: string | undefined) => Promise<IBinaryData>;

/**
 * One deadline for a whole download (connecting, waiting, reading), joined with n8n's cancel
 * signal, and the errors that name what went wrong without the URL (whose query may be a
 * signature).
 */
function downloadGuard(
	context: IExecuteFunctions,
	host: string,
	itemIndex: number,
	limits: DownloadLimits,
	subject: DownloadSubject,
) {
	const deadline = AbortSignal.timeout(limits.timeoutMs);
	const cancelled = context.getExecutionCancelSignal();
	const signal = cancelled ? AbortSignal.any([cancelled, deadline]) : deadline;
	const failed = (error: unknown) => {
		if (deadline.aborted) {
			return new NodeOperationError(
				context.getNode(),
				`Downloading ${subject.what} from ${host} did not finish within ${limits.timeoutMs / 1000} s`,
				{
					description:
						'The host did not answer or sent the file too slowly. ' +
						'Raise Download Timeout (Seconds), or try again later.',
					itemIndex,
				},
			);
		}
		if (error instanceof DownloadTooLarge) {
			return new NodeOperationError(
				context.getNode(),
				`${subject.file} from ${host} is larger than the Max Download Size (${limits.maxBytes} bytes)`,
				{ description: `Raise Max Download Size (MB), or ${subject.smaller}.`, itemIndex },
			);
		}
		if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
		const reason = cancelled?.aborted ? 'the execution was cancelled' : describeFailure(error);
		return new NodeOperationError(
			context.getNode(),
			`Downloading ${subject.what} from ${host} failed: ${reason}`,
			{ description: subject.again, itemIndex },
		);
	};
	return { signal, failed };
}

/**
 * Reads a successful streamed answer within the size limit
 * (a declared length above it stops at once).
 */
export async function readBody(
	response: { body: ByteStream; headers: Record<string, unknown> },
	maxBytes: number,
	signal: AbortSignal,
	firstBufferBytes: number = FIRST_BUFFER_BYTES,
	allowance?: ByteAllowance,
): Promise<Buffer> {
	const declared = Number(response.headers['content-length']);
	if (declared > maxBytes) {
		response.body.destroy();
		throw new DownloadTooLarge();
	}
	return await readAtMost(
		response.body,
		maxBytes,
		true,
		signal,
		expectedSize(declared, maxBytes, firstBufferBytes),
		allowance,
	);
}

/**
 * Downloads a presigned result URL and hands the file to `store` (which gives it to n8n's binary
 * data). It is deliberately sent without credentials: the URL carries its own signature, and the
 * storage host rejects (and must never see) an Authorization header. Errors name the host only:
 * the rest of the URL is that signature.
 *
 * The body is read as a stream so that the size limit holds while it arrives (a host that sends
 * too much is cut off, not buffered), and one deadline covers connecting, waiting and reading, so
 * a host that never answers, or stalls halfway, cannot hold the execution.
 *
 * Memory: the file is held whole until `store` has it, so the downloads of one node run go one at
 * a time (the exports themselves still run concurrently): the node holds at most one file, up to
 * Max Download Size, however many exports it runs. The timeout counts from a download's own start.
 */
export async function downloadPresigned(
	this: IExecuteFunctions,
	/** The URL, or how to get one that is still valid once it is this download's turn. */
	url: string | (() => Promise<string>),
	itemIndex: number,
	limits: DownloadLimits,
	store: StoreFile,
	subject: DownloadSubject = EXPORT_DOWNLOAD,
): Promise<IBinaryData> {
	return await oneAtATime(this, async () => {
		const at = typeof url === 'string' ? url : await url();
		const file = await fetchPresigned.call(this, at, itemIndex, limits, subject);
		return await store(file.data, file.contentType);
	});
}

/** A storage host may redirect (a bucket to its region's host), but only this many times. */
const MAX_STORAGE_REDIRECTS = 5;

/**
 * Fetches a presigned URL, following a storage host's redirects one at a time, each checked as
 * the first (https only), all within one Download Timeout.
 */
async function fetchPresigned(
	this: IExecuteFunctions,
	url: string,
	itemIndex: number,
	limits: DownloadLimits,
	subject: DownloadSubject,
): Promise<DownloadedFile> {
	const startedAt = Date.now();
	let target = checkedLocation(this, url, undefined, undefined, itemIndex, subject);
	for (let redirects = 0; ; redirects++) {
		const remaining = Math.max(1, limits.timeoutMs - (Date.now() - startedAt));
		const answer = await fetchOnce.call(
			this,
			target,
			itemIndex,
			{ ...limits, timeoutMs: remaining },
			subject,
		);
		if ('data' in answer) return answer;
		if (redirects >= MAX_STORAGE_REDIRECTS) {
			throw new NodeOperationError(
				this.getNode(),
				`Downloading ${subject.what} was redirected more than ${MAX_STORAGE_REDIRECTS} times`,
				{ description: `${subject.again} Host: ${hostOf(target)}.`, itemIndex },
			);
		}
		target = checkedLocation(this, answer.location, target, hostOf(target), itemIndex, subject);
	}
}

/** One GET of a presigned URL: the file, or where the host redirects (never followed blindly). */
async function fetchOnce(
	this: IExecuteFunctions,
	url: string,
	itemIndex: number,
	limits: DownloadLimits,
	subject: DownloadSubject,
): Promise<DownloadedFile | { location: unknown }> {
	const host = hostOf(url);
	const { signal, failed } = downloadGuard(this, host, itemIndex, limits, subject);
	let response: StreamedResponse;
	try {
		response = (await this.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			// Each hop is checked before it is taken (see fetchPresigned).
			disableFollowRedirect: true,
			abortSignal: signal,
		})) as StreamedResponse;
	} catch (error) {
		throw failed(error);
	}
	const ok = response.statusCode >= 200 && response.statusCode < 300;
	let data: Buffer;
	try {
		data = ok
			? await readBody(response, limits.maxBytes, signal)
			: await readAtMost(response.body, ERROR_BODY_BYTES, false, signal);
	} catch (error) {
		response.body.destroy();
		throw failed(error);
	}
	if (response.statusCode >= 300 && response.statusCode < 400)
		return { location: response.headers.location };
	if (!ok) {
		throw new NodeApiError(
			this.getNode(),
			{ httpCode: String(response.statusCode), body: data.toString('utf8').slice(0, 200) },
			{
				message: `Downloading ${subject.what} failed with status ${response.statusCode}`,
				description: `${subject.again} Host: ${host}.`,
				httpCode: String(response.statusCode),
				itemIndex,
			},
		);
	}
	return { data, contentType: response.headers['content-type'] };
}

/**
 * Downloads a file the Appcues API serves itself (with the credentials, through the client: its
 * throttle, retries and error mapping). When Appcues answers with a redirect to a storage host,
 * the file is fetched from there as a presigned URL: without any credentials, whatever the host.
 */
export async function downloadFromApi(
	this: IExecuteFunctions,
	client: AppcuesClient,
	path: string,
	itemIndex: number,
	limits: DownloadLimits,
	subject: DownloadSubject,
	store: StoreFile,
): Promise<IBinaryData> {
	// One file at a time per node run, as for exports (see downloadPresigned).
	return await oneAtATime(this, async () => {
		const file = await fetchFromApi.call(this, client, path, itemIndex, limits, subject);
		return await store(file.data, file.contentType);
	});
}

async function fetchFromApi(
	this: IExecuteFunctions,
	client: AppcuesClient,
	path: string,
	itemIndex: number,
	limits: DownloadLimits,
	subject: DownloadSubject,
): Promise<DownloadedFile> {
	const startedAt = Date.now();
	const { signal, failed } = downloadGuard(this, 'Appcues', itemIndex, limits, subject);
	let response: StreamedResponse;
	try {
		response = (await client.requestFull({
			method: 'GET',
			path,
			stream: true,
			redirects: 'return',
			abortSignal: signal,
			itemIndex,
		})) as unknown as StreamedResponse;
	} catch (error) {
		throw failed(error);
	}
	if (response.statusCode >= 300) {
		const target = checkedLocation(
			this,
			response.headers.location,
			response.url,
			'Appcues',
			itemIndex,
			subject,
		);
		const remaining = limits.timeoutMs - (Date.now() - startedAt);
		if (remaining <= 0) throw failed(new Error('timeout'));
		return await fetchPresigned.call(
			this,
			target,
			itemIndex,
			{ ...limits, timeoutMs: remaining },
			subject,
		);
	}
	try {
		return {
			data: await readBody(response, limits.maxBytes, signal),
			contentType: response.headers['content-type'],
		};
	} catch (error) {
		response.body.destroy();
		throw failed(error);
	}
}

/**
 * A download location (a presigned URL, or where a redirect leads, resolved against the URL that
 * redirected): https, or plain http to a loopback host only, as for the Base URL, so the file
 * cannot be swapped on the way. `redirectedBy` names who redirected; undefined for the URL
 * Appcues gave.
 */
function checkedLocation(
	context: IExecuteFunctions,
	location: unknown,
	base: string | undefined,
	redirectedBy: string | undefined,
	itemIndex: number,
	subject: DownloadSubject,
): string {
	const text = Array.isArray(location) ? location[0] : location;
	let url: URL | undefined;
	try {
		if (typeof text === 'string' && text.trim()) url = new URL(text.trim(), base);
	} catch {
		url = undefined;
	}
	if (
		url &&
		(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)))
	) {
		return url.href;
	}
	const where = url ? `${url.protocol}//${url.host}` : 'no valid location';
	throw new NodeOperationError(
		context.getNode(),
		redirectedBy
			? `${redirectedBy} redirected the download of ${subject.what} to ${where}, which is not followed`
			: `The download URL of ${subject.what} is on ${where}, which is not fetched`,
		{
			description: 'Only https locations are followed (plain http only to localhost).',
			itemIndex,
		},
	);
}

/** The first buffer of a body that declares no length; it grows by doubling. */
const FIRST_BUFFER_BYTES = 1 << 20;

/**
 * Reads the stream up to `maxBytes` into one buffer, sized from the start when the length is
 * known, so a file is held once, not as chunks plus their copy. Beyond `maxBytes` it fails with
 * DownloadTooLarge when `strict`, or stops and keeps what it has (an error body, only shown
 * shortened). With an `allowance`, the buffer's size is taken from it while reading (and given
 * back at the end): when it does not fit, the read fails with DownloadTooLarge (together).
 */
export async function readAtMost(
	stream: ByteStream,
	maxBytes: number,
	strict: boolean,
	signal?: AbortSignal,
	expectedBytes = Math.min(maxBytes, FIRST_BUFFER_BYTES),
	allowance?: ByteAllowance,
): Promise<Buffer> {
	if (!stream || typeof stream.on !== 'function') {
		// Not a stream (an empty answer): whatever it is, as bytes.
		const value = stream as unknown;
		if (value === undefined || value === null || value === '') return Buffer.alloc(0);
		const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
		return bytes.subarray(0, maxBytes);
	}
	if (allowance && !allowance.take(expectedBytes)) {
		stream.destroy();
		throw new DownloadTooLarge(true);
	}
	// What was taken from the allowance, given back however the read ends (even when a buffer
	// cannot be allocated).
	let taken = allowance ? expectedBytes : 0;
	let buffer = Buffer.alloc(0);
	let total = 0;
	try {
		buffer = Buffer.allocUnsafe(expectedBytes);
		await readInto();
	} finally {
		// Already done when the read ran (see stop); not when its first buffer failed.
		stream.destroy();
		allowance?.give(taken);
	}
	return buffer.subarray(0, total);

	function readInto(): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			const stop = (error?: Error) => {
				signal?.removeEventListener('abort', onAbort);
				stream.off('data', onData);
				stream.off('end', onEnd);
				stream.off('error', onError);
				stream.destroy();
				if (error) reject(error);
				else resolve();
			};
			const onAbort = () => stop(new Error('aborted'));
			const onError = (error: Error) => stop(error);
			const onEnd = () => stop();
			const onData = (chunk: Buffer | string) => {
				// An error here (a buffer that cannot be allocated) ends the read, not the process.
				try {
					keep(chunk);
				} catch (error) {
					stop(error instanceof Error ? error : new Error(String(error)));
				}
			};
			const keep = (chunk: Buffer | string) => {
				const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
				const room = maxBytes - total;
				if (piece.length > room && strict) return stop(new DownloadTooLarge());
				const kept = piece.length > room ? piece.subarray(0, room) : piece;
				if (total + kept.length > buffer.length) {
					const size = Math.min(maxBytes, Math.max(total + kept.length, buffer.length * 2));
					if (allowance) {
						if (!allowance.take(size - buffer.length)) return stop(new DownloadTooLarge(true));
						taken += size - buffer.length;
					}
					const grown = Buffer.allocUnsafe(size);
					buffer.copy(grown, 0, 0, total);
					buffer = grown;
				}
				kept.copy(buffer, total);
				total += kept.length;
				if (kept.length < piece.length) stop();
			};
			if (signal?.aborted) return onAbort();
			signal?.addEventListener('abort', onAbort);
			stream.on('data', onData);
			stream.on('end', onEnd);
			stream.on('error', onError);
		});
	}
}

/** The first buffer for a body: its declared length when it has one, within the limit. */
function expectedSize(declared: number, maxBytes: number, undeclared: number): number {
	// Decoded bytes are counted, so a compressed body may be larger than it declared.
	return Math.min(Number.isSafeInteger(declared) && declared > 0 ? declared : undeclared, maxBytes);
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'an invalid URL';
	}
}

/** A short reason from a network error, without the URL (whose query is the signature). */
function describeFailure(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
		const { code, cause } = current as { code?: unknown; cause?: unknown };
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = cause;
	}
	return 'the connection failed';
}

import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { AppcuesClient } from './client';
import { isLoopbackHost } from './region';

export interface DownloadLimits {
	/** Longest time for the whole download, from the request to the last byte. */
	timeoutMs: number;
	/** Largest file accepted: the whole file is held in memory before n8n stores it. */
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
		'The download link is valid for one hour; every poll of the export job gives a new one (Job > Download Analytics Export with the job ID).',
	smaller:
		'narrow the export (a shorter time range, fewer dimensions), or turn off Download Result and fetch download_url yourself',
};

export interface DownloadedFile {
	data: Buffer;
	contentType?: string;
}

/** An error answer is read only this far: enough for the host's error message. */
export const ERROR_BODY_BYTES = 4096;

class DownloadTooLarge extends Error {}

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
					description: `The host did not answer or sent the file too slowly. Raise Download Timeout (Seconds), or try again later.`,
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

/** Reads a successful streamed answer within the size limit (a declared length above it stops at once). */
async function readBody(
	response: StreamedResponse,
	maxBytes: number,
	signal: AbortSignal,
): Promise<Buffer> {
	const declared = Number(response.headers['content-length']);
	if (declared > maxBytes) {
		response.body.destroy();
		throw new DownloadTooLarge();
	}
	return await readAtMost(response.body, maxBytes, true, signal);
}

/**
 * Downloads a presigned result URL. It is deliberately sent without credentials: the URL
 * carries its own signature, and the storage host rejects (and must never see) an
 * Authorization header. Errors name the host only: the rest of the URL is that signature.
 *
 * The body is read as a stream so that the size limit holds while it arrives (a host that sends
 * too much is cut off, not buffered), and one deadline covers connecting, waiting and reading, so
 * a host that never answers, or stalls halfway, cannot hold the execution.
 */
export async function downloadPresigned(
	this: IExecuteFunctions,
	url: string,
	itemIndex: number,
	limits: DownloadLimits,
	subject: DownloadSubject = EXPORT_DOWNLOAD,
): Promise<DownloadedFile> {
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
		const target = redirectTarget(this, response, itemIndex, subject);
		const remaining = limits.timeoutMs - (Date.now() - startedAt);
		if (remaining <= 0) throw failed(new Error('timeout'));
		return await downloadPresigned.call(
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
 * Where a redirect leads, resolved against the API's URL. Only https is followed (plain http only
 * to a loopback host, as for the Base URL), so the file cannot be swapped on the way.
 */
function redirectTarget(
	context: IExecuteFunctions,
	response: StreamedResponse,
	itemIndex: number,
	subject: DownloadSubject,
): string {
	const location: unknown = response.headers.location;
	const text = Array.isArray(location) ? location[0] : location;
	let url: URL | undefined;
	try {
		if (typeof text === 'string' && text.trim()) url = new URL(text.trim(), response.url);
	} catch {
		url = undefined;
	}
	if (
		url &&
		(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)))
	) {
		return url.href;
	}
	throw new NodeOperationError(
		context.getNode(),
		`Appcues redirected the download of ${subject.what} to ${url ? `${url.protocol}//${url.host}` : 'no valid location'}, which is not followed`,
		{
			description: 'Only https locations are followed (plain http only to localhost).',
			itemIndex,
		},
	);
}

/**
 * Reads the stream up to `maxBytes`. Beyond that it fails with DownloadTooLarge when `strict`, or
 * stops and keeps what it has (an error body, only shown shortened).
 */
export async function readAtMost(
	stream: ByteStream,
	maxBytes: number,
	strict: boolean,
	signal?: AbortSignal,
): Promise<Buffer> {
	if (!stream || typeof stream.on !== 'function') {
		// Not a stream (an empty answer): whatever it is, as bytes.
		const value = stream as unknown;
		if (value === undefined || value === null || value === '') return Buffer.alloc(0);
		const buffer = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
		return buffer.subarray(0, maxBytes);
	}
	const chunks: Buffer[] = [];
	let total = 0;
	await new Promise<void>((resolve, reject) => {
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
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
			if (total + buffer.length > maxBytes) {
				if (strict) return stop(new DownloadTooLarge());
				chunks.push(buffer.subarray(0, maxBytes - total));
				total = maxBytes;
				return stop();
			}
			chunks.push(buffer);
			total += buffer.length;
		};
		if (signal?.aborted) return onAbort();
		signal?.addEventListener('abort', onAbort);
		stream.on('data', onData);
		stream.on('end', onEnd);
		stream.on('error', onError);
	});
	return Buffer.concat(chunks, total);
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

import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

export interface DownloadLimits {
	/** Longest time for the whole download, from the request to the last byte. */
	timeoutMs: number;
	/** Largest file accepted: the whole file is held in memory before n8n stores it. */
	maxBytes: number;
}

/** An error answer is read only this far: enough for the storage host's error message. */
const ERROR_BODY_BYTES = 4096;

class DownloadTooLarge extends Error {}

/** The parts of the response stream used here (a Node.js Readable). */
interface ByteStream {
	on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
	on(event: 'end', listener: () => void): unknown;
	on(event: 'error', listener: (error: Error) => void): unknown;
	off(event: string, listener: (...args: never[]) => void): unknown;
	destroy(): unknown;
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
): Promise<{ data: Buffer; contentType?: string }> {
	const host = hostOf(url);
	const deadline = AbortSignal.timeout(limits.timeoutMs);
	const cancelled = this.getExecutionCancelSignal();
	const signal = cancelled ? AbortSignal.any([cancelled, deadline]) : deadline;
	const failed = (error: unknown) => {
		if (deadline.aborted) {
			return new NodeOperationError(
				this.getNode(),
				`Downloading the export from ${host} did not finish within ${limits.timeoutMs / 1000} s`,
				{
					description:
						'The storage host did not answer or sent the file too slowly. Raise Download Timeout (Seconds) for a large export, or run the export again later.',
					itemIndex,
				},
			);
		}
		if (error instanceof DownloadTooLarge) {
			return new NodeOperationError(
				this.getNode(),
				`The export file from ${host} is larger than the Max Download Size (${limits.maxBytes} bytes)`,
				{
					description:
						'Raise Max Download Size (MB), or narrow the export (a shorter time range, fewer dimensions), or turn off Download Result and fetch download_url yourself.',
					itemIndex,
				},
			);
		}
		const reason = cancelled?.aborted ? 'the execution was cancelled' : describeFailure(error);
		return new NodeOperationError(
			this.getNode(),
			`Downloading the export from ${host} failed: ${reason}`,
			{
				description:
					'The download link is valid for one hour; run the export again to get a new one.',
				itemIndex,
			},
		);
	};

	let response: {
		body: ByteStream;
		statusCode: number;
		headers: Record<string, string | undefined>;
	};
	try {
		response = (await this.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			abortSignal: signal,
		})) as typeof response;
	} catch (error) {
		throw failed(error);
	}
	const ok = response.statusCode >= 200 && response.statusCode < 300;
	let data: Buffer;
	try {
		const declared = Number(response.headers['content-length']);
		if (ok && declared > limits.maxBytes) throw new DownloadTooLarge();
		data = await readAtMost(response.body, ok ? limits.maxBytes : ERROR_BODY_BYTES, ok, signal);
	} catch (error) {
		response.body.destroy();
		throw failed(error);
	}
	if (!ok) {
		throw new NodeApiError(
			this.getNode(),
			{ httpCode: String(response.statusCode), body: data.toString('utf8').slice(0, 200) },
			{
				message: `Downloading the export failed with status ${response.statusCode}`,
				description: `The download link is valid for one hour; run the export again to get a new one. Host: ${host}.`,
				httpCode: String(response.statusCode),
				itemIndex,
			},
		);
	}
	return { data, contentType: response.headers['content-type'] };
}

/**
 * Reads the stream up to `maxBytes`. Beyond that it fails with DownloadTooLarge when `strict`, or
 * stops and keeps what it has (an error body, only shown shortened).
 */
async function readAtMost(
	stream: ByteStream,
	maxBytes: number,
	strict: boolean,
	signal: AbortSignal,
): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;
	await new Promise<void>((resolve, reject) => {
		const stop = (error?: Error) => {
			signal.removeEventListener('abort', onAbort);
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
		if (signal.aborted) return onAbort();
		signal.addEventListener('abort', onAbort);
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

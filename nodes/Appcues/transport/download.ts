import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

export interface DownloadLimits {
	/** Longest time for the whole download, from the request to the last byte. */
	timeoutMs: number;
	/** Largest file accepted: the whole file is held in memory until n8n stores it. */
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
	url: string,
	itemIndex: number,
	limits: DownloadLimits,
	store: (data: Buffer, contentType: string | undefined) => Promise<IBinaryData>,
): Promise<IBinaryData> {
	return await oneAtATime(this, async () => {
		const file = await download.call(this, url, itemIndex, limits);
		return await store(file.data, file.contentType);
	});
}

async function download(
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
		const maxBytes = ok ? limits.maxBytes : ERROR_BODY_BYTES;
		// Decoded bytes are counted, so a compressed body may be larger than it declared.
		const expected = Number.isSafeInteger(declared) && declared > 0 ? declared : FIRST_BUFFER_BYTES;
		data = await readAtMost(response.body, maxBytes, ok, signal, Math.min(expected, maxBytes));
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

/** The first buffer of a body that declares no length; it grows by doubling. */
const FIRST_BUFFER_BYTES = 1 << 20;

/**
 * Reads the stream up to `maxBytes` into one buffer, sized from the start when the length is
 * known, so a file is held once, not as chunks plus their copy. Beyond `maxBytes` it fails with
 * DownloadTooLarge when `strict`, or stops and keeps what it has (an error body, only shown
 * shortened).
 */
async function readAtMost(
	stream: ByteStream,
	maxBytes: number,
	strict: boolean,
	signal: AbortSignal,
	expectedBytes: number,
): Promise<Buffer> {
	let buffer = Buffer.allocUnsafe(expectedBytes);
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
			const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
			const room = maxBytes - total;
			if (piece.length > room && strict) return stop(new DownloadTooLarge());
			const kept = piece.length > room ? piece.subarray(0, room) : piece;
			if (total + kept.length > buffer.length) {
				const grown = Buffer.allocUnsafe(
					Math.min(maxBytes, Math.max(total + kept.length, buffer.length * 2)),
				);
				buffer.copy(grown, 0, 0, total);
				buffer = grown;
			}
			kept.copy(buffer, total);
			total += kept.length;
			if (kept.length < piece.length) stop();
		};
		if (signal.aborted) return onAbort();
		signal.addEventListener('abort', onAbort);
		stream.on('data', onData);
		stream.on('end', onEnd);
		stream.on('error', onError);
	});
	return buffer.subarray(0, total);
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

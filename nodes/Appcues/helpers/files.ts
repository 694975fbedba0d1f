import { randomBytes } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { AppcuesClient } from '../transport/client';
import { itemError } from './errors';

/**
 * Appcues writes its limits as "20MB" and "200MB" without saying which megabyte. The decimal one
 * (1,000,000 bytes) is the smaller reading, so a body or file that fits it fits either way: every
 * "MB" in this package, including the Max Request Size (MB) option, is 1,000,000 bytes.
 */
export const MB = 1_000_000;
const KB = 1_000;
/** Appcues' limits: 20 MB for a request body, 200 MB for an uploaded file. */
export const MAX_BODY_BYTES = 20 * MB;
export const MAX_FILE_BYTES = 200 * MB;

export type FileFormat = 'csv' | 'ndjson';

/** Chunk size for reading a file from n8n's binary store, and the most read before upload. */
const CHUNK_BYTES = 64 * 1024;

export interface InputFile {
	fileName: string;
	mimeType: string;
	format: FileFormat;
	/** Exact size in bytes: what the upload declares as its length. */
	bytes: number;
	/** The first bytes of the file (at most 64 KB), for the checks made before upload. */
	head: Buffer;
	/** Reads the file a chunk at a time; every call starts from the beginning again. */
	read: () => AsyncIterable<Buffer>;
}

/**
 * Opens a CSV or NDJSON file from a binary property, refusing files Appcues would refuse, without
 * loading it: a file in n8n's binary store (filesystem, S3, database: the binary has an id) is
 * measured from its metadata and streamed; only binary data n8n already keeps in memory (no id)
 * is decoded into one buffer.
 */
export async function readInputFile(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	format: 'auto' | FileFormat,
	maxBytes: number,
): Promise<InputFile> {
	const binary = this.helpers.assertBinaryData(itemIndex, propertyName);
	const tooLarge = (bytes: number) =>
		itemError(
			this.getNode(),
			`The file in "${propertyName}" is ${formatBytes(bytes)}, ` +
				`above the ${formatBytes(maxBytes)} Appcues accepts`,
			{ description: 'Split the file into smaller files and upload each.', itemIndex },
		);
	let bytes: number;
	let read: () => AsyncIterable<Buffer>;
	if (binary.id) {
		const id = binary.id;
		const stored =
			typeof binary.bytes === 'number'
				? binary.bytes
				: (await this.helpers.getBinaryMetadata(id)).fileSize;
		if (typeof stored === 'number' && stored > maxBytes) throw tooLarge(stored);
		read = () => readStored(this, id);
		// Without a recorded size, count it: one pass over the file, in constant memory.
		bytes =
			typeof stored === 'number' && Number.isSafeInteger(stored) && stored >= 0
				? stored
				: await countBytes(read());
	} else {
		const declared = typeof binary.bytes === 'number' ? binary.bytes : base64Size(binary.data);
		if (declared > maxBytes) throw tooLarge(declared);
		const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
		bytes = buffer.length;
		read = () => readBuffer(buffer);
	}
	if (bytes > maxBytes) throw tooLarge(bytes);
	if (bytes === 0) {
		throw itemError(this.getNode(), `The file in "${propertyName}" is empty`, { itemIndex });
	}
	const head = await readHead(read());
	const fileName = binary.fileName ?? `upload.${format === 'auto' ? 'csv' : format}`;
	const detected = format === 'auto' ? detectFormat(fileName, binary.mimeType, head) : format;
	return {
		fileName,
		format: detected,
		mimeType: detected === 'csv' ? 'text/csv' : 'application/x-ndjson',
		bytes,
		head,
		read,
	};
}

async function* readStored(context: IExecuteFunctions, id: string): AsyncIterable<Buffer> {
	const stream = await context.helpers.getBinaryStream(id, CHUNK_BYTES);
	try {
		for await (const chunk of stream)
			yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
	} finally {
		stream.destroy();
	}
}

async function* readBuffer(buffer: Buffer): AsyncIterable<Buffer> {
	for (let start = 0; start < buffer.length; start += CHUNK_BYTES)
		yield buffer.subarray(start, start + CHUNK_BYTES);
}

async function countBytes(chunks: AsyncIterable<Buffer>): Promise<number> {
	let bytes = 0;
	for await (const chunk of chunks) bytes += chunk.length;
	return bytes;
}

/** The first 64 KB; the rest of the file is not read (leaving the loop closes the stream). */
async function readHead(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
	const taken: Buffer[] = [];
	let bytes = 0;
	for await (const chunk of chunks) {
		taken.push(chunk);
		bytes += chunk.length;
		if (bytes >= CHUNK_BYTES) break;
	}
	return Buffer.concat(taken, bytes).subarray(0, CHUNK_BYTES);
}

function base64Size(data: string | undefined): number {
	if (!data) return 0;
	const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
	return Math.floor((data.length * 3) / 4) - padding;
}

function detectFormat(fileName: string, mimeType: string | undefined, head: Buffer): FileFormat {
	const name = fileName.toLowerCase();
	if (name.endsWith('.csv') || mimeType === 'text/csv') return 'csv';
	if (/\.(nd)?jsonl?$/.test(name) || /ndjson|jsonl|json/.test(mimeType ?? '')) return 'ndjson';
	return firstLine(head).trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

function headText(head: Buffer): string {
	return head.toString('utf8').replace(/^\uFEFF/, '');
}

function firstLine(head: Buffer): string {
	const text = headText(head);
	const end = text.search(/\r?\n/);
	return end < 0 ? text : text.slice(0, end);
}

/**
 * The header row of a CSV file read exactly as Appcues (and the fake server) reads it: RFC 4180,
 * names taken verbatim (no trimming: `" user_id "` is not `user_id`), quoted names unquoted with
 * doubled quotes kept once, a byte-order mark dropped. Returns the reason when the row is not
 * valid CSV.
 */
export function csvHeader(
	head: Buffer,
	wholeFile = true,
): { names: string[] } | { invalid: string } {
	const text = headText(head);
	const names: string[] = [];
	let index = 0;
	for (;;) {
		let name = '';
		if (text[index] === '"') {
			index++;
			for (;;) {
				const quote = text.indexOf('"', index);
				if (quote < 0)
					return {
						invalid: wholeFile
							? 'a quoted name is never closed'
							: 'the header row is longer than 64 KB',
					};
				name += text.slice(index, quote);
				if (text[quote + 1] === '"') {
					name += '"';
					index = quote + 2;
					continue;
				}
				index = quote + 1;
				break;
			}
			const next = text[index];
			if (
				index < text.length &&
				next !== ',' &&
				next !== '\n' &&
				!(next === '\r' && text[index + 1] === '\n')
			) {
				return {
					invalid: `a character (${JSON.stringify(next)}) follows the closing quote of a name`,
				};
			}
		} else {
			let end = index;
			while (
				end < text.length &&
				text[end] !== ',' &&
				text[end] !== '\n' &&
				!(text[end] === '\r' && text[end + 1] === '\n')
			) {
				if (text[end] === '"')
					return {
						invalid: 'a quote inside an unquoted name (quote the whole name and double the quote)',
					};
				end++;
			}
			if (end >= text.length && !wholeFile)
				return { invalid: 'the header row is longer than 64 KB' };
			name = text.slice(index, end);
			index = end;
		}
		names.push(name);
		if (text[index] !== ',') break;
		index++;
	}
	return { names };
}

/** Refuses, before upload, a file whose first row lacks a column Appcues needs. */
export function assertColumns(
	this: IExecuteFunctions,
	file: InputFile,
	required: string[],
	itemIndex: number,
	{ only = false }: { only?: boolean } = {},
): void {
	const fail = (message: string, description: string) =>
		itemError(this.getNode(), message, { description, itemIndex });
	if (file.format === 'csv') {
		const shown = firstLine(file.head).slice(0, 500);
		const parsed = csvHeader(file.head, file.head.length >= file.bytes);
		if ('invalid' in parsed)
			throw fail(
				`The header row of the CSV file is not valid CSV: ${parsed.invalid}`,
				`Its header row is: ${shown}`,
			);
		const header = parsed.names;
		const unnamed = header.findIndex((name) => name === '');
		if (unnamed >= 0 && header.length > 1)
			throw fail(
				`Column ${unnamed + 1} of the CSV header row has no name`,
				`Its header row is: ${shown}`,
			);
		const twice = header.find((name, column) => header.indexOf(name) !== column);
		if (twice !== undefined)
			throw fail(
				`The CSV header row names the column "${twice}" twice`,
				`Its header row is: ${shown}`,
			);
		const missing = required.filter((column) => !header.includes(column));
		if (only && !missing.length && header.length !== required.length) {
			// Segment membership files: Appcues takes only the user_id column.
			throw fail(
				`The CSV file must have only the ${required.map((column) => `"${column}"`).join(', ')} column`,
				`Its header row is: ${shown}. Remove the other columns.`,
			);
		}
		if (missing.length) {
			// Appcues takes names exactly as written, so " user_id " is another column.
			const padded = header.filter((name) => name !== name.trim() && missing.includes(name.trim()));
			throw fail(
				`The CSV file has no ${missing.map((column) => `"${column}"`).join(', ')} column`,
				`Its header row is: ${shown || '(empty)'}` +
					(padded.length
						? '. Appcues reads column names exactly as written: remove the spaces around ' +
							`${padded.map((name) => JSON.stringify(name)).join(', ')}.`
						: ''),
			);
		}
		return;
	}
	const line = firstLine(file.head);
	let row: unknown;
	try {
		row = JSON.parse(line);
	} catch {
		throw fail('The first line of the NDJSON file is not JSON', `It starts: ${line.slice(0, 120)}`);
	}
	const missing = required.filter((field) => !(row && typeof row === 'object' && field in row));
	if (missing.length) {
		throw fail(
			'The first row of the NDJSON file has no ' +
				`${missing.map((field) => `"${field}"`).join(', ')} field`,
			`It starts: ${line.slice(0, 120)}`,
		);
	}
}

/**
 * POSTs a file, alone (raw) or as the part `file` of a multipart form, and returns Appcues' answer.
 */
export async function postFile(
	client: AppcuesClient,
	path: string,
	file: InputFile,
	as: 'multipart' | 'raw',
	itemIndex: number,
): Promise<unknown> {
	const body = uploadBody(file, as);
	try {
		return await client.request({
			method: 'POST',
			path,
			body,
			headers: { 'Content-Type': body.type },
			itemIndex,
		});
	} finally {
		await body.release();
	}
}

/** What an output says of an uploaded file. */
export interface UploadedFile {
	fileName: string;
	format: FileFormat;
	bytes: number;
}

/**
 * Reads an item's file, lets `check` refuse it (by throwing), and POSTs it. A function of its own
 * so that nothing holds the file (in memory, up to 200 MB, where n8n keeps binary data there)
 * while its job is polled afterwards.
 */
export async function uploadInputFile(
	this: IExecuteFunctions,
	client: AppcuesClient,
	upload: {
		itemIndex: number;
		propertyName: string;
		format: 'auto' | FileFormat;
		path: string;
		as: 'multipart' | 'raw';
		check: (file: InputFile) => void;
	},
): Promise<{ accepted: unknown; file: UploadedFile }> {
	const { itemIndex } = upload;
	const file = await readInputFile.call(
		this,
		itemIndex,
		upload.propertyName,
		upload.format,
		MAX_FILE_BYTES,
	);
	upload.check(file);
	const accepted = await postFile(client, upload.path, file, upload.as, itemIndex);
	return { accepted, file: { fileName: file.fileName, format: file.format, bytes: file.bytes } };
}

function uploadBody(file: InputFile, as: 'multipart' | 'raw'): UploadBody {
	if (as === 'raw') return new UploadBody([file], file.mimeType);
	// The layout undici's FormData sends; a random boundary, as no file is scanned for it.
	const boundary = `----AppcuesUpload${randomBytes(12).toString('hex')}`;
	const fileName = file.fileName.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
	const head = Buffer.from(
		`--${boundary}\r\n` +
			`Content-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
			`Content-Type: ${file.mimeType}\r\n\r\n`,
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	return new UploadBody([head, file, tail], `multipart/form-data; boundary=${boundary}`);
}

/**
 * A request body read from n8n's binary store only while it is sent, a chunk at a time, so a file
 * is never held whole in memory. It is a Blob because the HTTP client below n8n's request helper
 * (axios) sends a Blob as a stream with the Blob's size as Content-Length, which here is exact:
 * the envelope plus the file's recorded size. Each send reads the file afresh, so a retry (429,
 * 503) sends the same bytes; a file that turns out longer or shorter than recorded fails the
 * request mid-body, so Appcues never gets a complete body of the wrong length.
 */
export class UploadBody extends Blob {
	override readonly size: number;
	override readonly type: string;
	private readonly open = new Set<AsyncIterator<Buffer>>();

	constructor(
		private readonly parts: Array<Buffer | InputFile>,
		type: string,
	) {
		super([]);
		this.type = type;
		this.size = parts.reduce(
			(sum, part) => sum + (Buffer.isBuffer(part) ? part.length : part.bytes),
			0,
		);
	}

	override stream(): ReadableStream<Uint8Array> {
		const { parts, open } = this;
		let index = 0;
		let file: AsyncIterator<Buffer> | undefined;
		let fileBytes = 0;
		const close = async () => {
			if (!file) return;
			const closing = file;
			file = undefined;
			open.delete(closing);
			await closing.return?.();
		};
		return new ReadableStream<Uint8Array>({
			pull: async (controller) => {
				for (;;) {
					const part = parts[index];
					if (part === undefined) return controller.close();
					if (Buffer.isBuffer(part)) {
						index++;
						return controller.enqueue(part);
					}
					if (!file) {
						file = part.read()[Symbol.asyncIterator]();
						open.add(file);
						fileBytes = 0;
					}
					const next = await file.next();
					if (!next.done) fileBytes += next.value.length;
					if (fileBytes > part.bytes || (next.done && fileBytes !== part.bytes)) {
						await close();
						throw new Error(
							`The file "${part.fileName}" changed while it was uploaded: ` +
								`${part.bytes} bytes were expected`,
						);
					}
					if (!next.done) return controller.enqueue(next.value);
					await close();
					index++;
				}
			},
			cancel: close,
		});
	}

	/** Closes the files of sends that did not read to the end (an early answer, an error). */
	async release(): Promise<void> {
		const files = [...this.open];
		this.open.clear();
		await Promise.all(files.map(async (file) => await file.return?.()));
	}
}

export function formatBytes(bytes: number): string {
	if (bytes >= MB) return `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;
	if (bytes >= KB) return `${(bytes / KB).toFixed(1)} KB`;
	return `${bytes} bytes`;
}

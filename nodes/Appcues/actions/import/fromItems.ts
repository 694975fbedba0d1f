import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ensureNodeError, errorItemOrThrow, itemError, notePartial } from '../../helpers/errors';
import { formatBytes } from '../../helpers/files';
import { finishJob, type WaitSettings } from '../../helpers/jobs';
import { errorItem } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { rowProblem, rowText, type RowSettings } from './rows';

interface Chunk {
	items: number[];
	bytes: number;
}

interface BadRow {
	itemIndex: number;
	reason: string;
}

const NEWLINE = 0x0a;

/** The first body starts this small, then grows to what its first rows say the rest needs. */
const FIRST_BODY_START_BYTES = 64 * 1024;

/**
 * The first request's body, written while the rows are checked: those rows are serialised once.
 * Later rows are only measured, and written when their request is sent, so memory holds one body.
 */
class FirstBody {
	private buffer = Buffer.allocUnsafe(0);

	length = 0;

	/** False once a row did not fit: every later row belongs to a later request. */
	open = true;

	private rows = 0;

	constructor(
		private readonly maxBytes: number,
		/** Rows that may still come: the size of those written so far predicts theirs. */
		private rowsLeft: number,
	) {}

	/**
	 * Appends a row and its newline and returns its bytes, or undefined (nothing written) when it
	 * would pass maxBytes.
	 */
	append(text: string): number | undefined {
		this.rowsLeft--;
		// UTF-8 takes at most 3 bytes per UTF-16 unit: only a row near the end needs measuring.
		let room = text.length * 3 + 1;
		if (this.length + room > this.buffer.length) {
			room = Buffer.byteLength(text) + 1;
			if (this.length + room > this.maxBytes) return undefined;
			// The estimate is three times too large for ASCII: the exact size may still fit.
			if (this.length + room > this.buffer.length) this.grow(this.length + room);
		}
		const bytes = this.buffer.write(text, this.length, 'utf8') + 1;
		this.rows++;
		this.length += bytes;
		this.buffer[this.length - 1] = NEWLINE;
		return bytes;
	}

	get body(): Buffer {
		return this.buffer.subarray(0, this.length);
	}

	/**
	 * Once the first body was sent, its buffer serves the bodies after it (requests go one at a
	 * time), or gives way to a larger one: never two bodies in memory.
	 */
	handOver(size: number): Buffer {
		const buffer = this.buffer.length >= size ? this.buffer : Buffer.allocUnsafe(size);
		this.release();
		return buffer;
	}

	/** Lets the body go: a job may be polled for minutes after its last request was sent. */
	release(): void {
		this.buffer = Buffer.allocUnsafe(0);
		this.length = 0;
	}

	/**
	 * Grows once to the size the rows so far predict (an eighth more), at least doubling: few
	 * grown-out buffers wait for the garbage collector, which counts against the memory rule.
	 */
	private grow(needed: number): void {
		const predicted =
			this.rows === 0
				? FIRST_BODY_START_BYTES
				: needed + (this.length / this.rows) * this.rowsLeft * 1.125;
		const size = Math.max(needed, predicted, 2 * this.buffer.length);
		const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.ceil(size)));
		this.buffer.copy(grown, 0, 0, this.length);
		this.buffer = grown;
	}
}

/**
 * Plans the requests: rows are packed in input order into chunks of at most `maxBytes`, a row
 * never split across two requests. The rows of the first chunk are written into `first` on the
 * way (a single request, the usual case, serialises each row once); later rows are measured,
 * never kept.
 */
export function planChunks(
	items: INodeExecutionData[],
	settings: RowSettings,
	maxBytes: number,
): { chunks: Chunk[]; badRows: BadRow[]; first: FirstBody } {
	const chunks: Chunk[] = [];
	const badRows: BadRow[] = [];
	const first = new FirstBody(maxBytes, items.length);
	let current: Chunk = { items: [], bytes: 0 };
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const json = items[itemIndex].json;
		const problem = rowProblem(json, settings);
		if (problem) {
			badRows.push({ itemIndex, reason: problem });
			continue;
		}
		const text = rowText(json, settings);
		const written = first.open ? first.append(text) : undefined;
		const bytes = written ?? Buffer.byteLength(text) + 1; // and the newline
		if (bytes > maxBytes) {
			badRows.push({
				itemIndex,
				reason: `the row is ${formatBytes(bytes)}, above the ${formatBytes(maxBytes)} request limit`,
			});
			continue;
		}
		if (written === undefined && first.open) {
			// The first body is full: this row opens the second request.
			first.open = false;
			chunks.push(current);
			current = { items: [], bytes: 0 };
		} else if (current.bytes + bytes > maxBytes) {
			chunks.push(current);
			current = { items: [], bytes: 0 };
		}
		current.items.push(itemIndex);
		current.bytes += bytes;
	}
	if (current.items.length) chunks.push(current);
	return { chunks, badRows, first };
}

/**
 * Serialises one chunk into `buffer` (reused for every request, so memory stays at one body)
 * and returns the filled part.
 */
export function writeChunk(
	items: INodeExecutionData[],
	settings: RowSettings,
	chunk: Chunk,
	buffer: Buffer,
): Buffer {
	let offset = 0;
	for (const itemIndex of chunk.items) {
		offset += buffer.write(rowText(items[itemIndex].json, settings), offset, 'utf8');
		buffer[offset++] = NEWLINE;
	}
	return buffer.subarray(0, offset);
}

/** Made only when the output needs them, not while a body is in memory: one object per row. */
function pairedItemsOf(chunk: Chunk) {
	return chunk.items.map((item) => ({ item }));
}

/** All input items become NDJSON rows, sent as few import jobs as the size limit allows. */
export async function importFromItems(
	this: IExecuteFunctions,
	client: AppcuesClient,
	items: INodeExecutionData[],
	route: string,
	settings: RowSettings,
	maxBytes: number,
	wait: WaitSettings | undefined,
): Promise<INodeExecutionData[]> {
	const { chunks, badRows, first } = planChunks(items, settings, maxBytes);
	const output: INodeExecutionData[] = [];
	if (badRows.length) {
		if (!this.continueOnFail()) {
			const listed = badRows
				.slice(0, 5)
				.map((bad) => `item ${bad.itemIndex}: ${bad.reason}`)
				.join('; ');
			throw itemError(
				this.getNode(),
				`${badRows.length} of ${items.length} items cannot be imported, so nothing was sent`,
				{
					description:
						`${listed}${badRows.length > 5 ? `; and ${badRows.length - 5} more` : ''}. ` +
						'Fix these items, or turn on Continue On Fail to import the others ' +
						'and list these in the output.',
					itemIndex: badRows[0].itemIndex,
				},
			);
		}
		for (const bad of badRows) {
			output.push({
				json: {
					error: `Item ${bad.itemIndex} was not imported: ${bad.reason}`,
					itemIndex: bad.itemIndex,
					reason: bad.reason,
				},
				pairedItem: { item: bad.itemIndex },
			});
		}
	}
	if (!chunks.length) return output;

	const laterBytes = Math.max(0, ...chunks.slice(1).map((chunk) => chunk.bytes));
	let buffer: Buffer | undefined;
	const submitted: Array<{ chunk: Chunk; job: IDataObject }> = [];
	for (const [index, chunk] of chunks.entries()) {
		try {
			const body =
				index === 0
					? first.body
					: writeChunk(items, settings, chunk, (buffer ??= first.handOver(laterBytes)));
			const accepted = await client.request({
				method: 'POST',
				path: route,
				body,
				headers: { 'Content-Type': 'application/x-ndjson' },
				itemIndex: chunk.items[0],
			});
			submitted.push({ chunk, job: (accepted ?? {}) as IDataObject });
		} catch (error) {
			if (!this.continueOnFail())
				throw notePartial(
					ensureNodeError(this.getNode(), error),
					submitted.length,
					chunks.length,
					'import requests',
				);
			output.push(errorItem(error, pairedItemsOf(chunk)));
		}
	}
	// V8 keeps a suspended function's locals alive: without this, Wait for Completion would hold
	// the last body in memory while it polls.
	first.release();
	buffer = undefined;
	for (const { chunk, job } of submitted) {
		const pairedItem = pairedItemsOf(chunk);
		const summary = { rows: chunk.items.length, bytes: chunk.bytes };
		try {
			const final = await finishJob.call(this, client, job, chunk.items[0], wait);
			output.push({ json: { ...final, ...summary }, pairedItem });
		} catch (caught) {
			output.push(errorItemOrThrow.call(this, caught, chunk.items[0], pairedItem));
		}
	}
	return output;
}

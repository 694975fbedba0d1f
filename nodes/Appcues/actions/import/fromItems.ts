import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ensureNodeError, errorItemOrThrow, itemError, notePartial } from '../../helpers/errors';
import { formatBytes } from '../../helpers/files';
import { finishJob, type WaitSettings } from '../../helpers/jobs';
import { errorItem } from '../../helpers/results';
import type { AppcuesClient } from '../../transport/client';
import { emitRow, rowProblem, type RowSettings } from './rows';

interface Chunk {
	items: number[];
	bytes: number;
}

interface BadRow {
	itemIndex: number;
	reason: string;
}

const NEWLINE = 0x0a;

/**
 * One row as text. Measuring and writing a whole row at once is about twice as fast as piece by
 * piece (one byteLength or buffer.write per row instead of one per key and value); the row's
 * string is short-lived, so memory still holds one request body.
 */
function rowText(json: IDataObject, settings: RowSettings): string {
	let text = '';
	emitRow(json, settings, (piece) => (text += piece));
	return text;
}

/**
 * Plans the requests: rows are measured, never kept, and packed in input order into chunks of
 * at most `maxBytes`. A row is never split across two requests.
 */
export function planChunks(
	items: INodeExecutionData[],
	settings: RowSettings,
	maxBytes: number,
): { chunks: Chunk[]; badRows: BadRow[] } {
	const chunks: Chunk[] = [];
	const badRows: BadRow[] = [];
	let current: Chunk = { items: [], bytes: 0 };
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const json = items[itemIndex].json;
		const problem = rowProblem(json, settings);
		if (problem) {
			badRows.push({ itemIndex, reason: problem });
			continue;
		}
		const bytes = Buffer.byteLength(rowText(json, settings)) + 1; // and the newline
		if (bytes > maxBytes) {
			badRows.push({
				itemIndex,
				reason: `the row is ${formatBytes(bytes)}, above the ${formatBytes(maxBytes)} request limit`,
			});
			continue;
		}
		if (current.bytes + bytes > maxBytes) {
			chunks.push(current);
			current = { items: [], bytes: 0 };
		}
		current.items.push(itemIndex);
		current.bytes += bytes;
	}
	if (current.items.length) chunks.push(current);
	return { chunks, badRows };
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
	const { chunks, badRows } = planChunks(items, settings, maxBytes);
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

	const buffer = Buffer.allocUnsafe(Math.max(...chunks.map((chunk) => chunk.bytes)));
	const submitted: Array<{ chunk: Chunk; job: IDataObject }> = [];
	for (const chunk of chunks) {
		const pairedItem = chunk.items.map((item) => ({ item }));
		try {
			const body = writeChunk(items, settings, chunk, buffer);
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
			output.push(errorItem(error, pairedItem));
		}
	}
	for (const { chunk, job } of submitted) {
		const pairedItem = chunk.items.map((item) => ({ item }));
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

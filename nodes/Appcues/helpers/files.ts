import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const MB = 1024 * 1024;
/** Appcues' documented limits: 20 MB for a request body, 200 MB for an uploaded file. */
export const MAX_BODY_BYTES = 20 * MB;
export const MAX_FILE_BYTES = 200 * MB;

export type FileFormat = 'csv' | 'ndjson';

export interface InputFile {
	buffer: Buffer;
	fileName: string;
	mimeType: string;
	format: FileFormat;
}

/** Size of a binary property without loading it, where n8n can tell. */
async function binarySize(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<number | undefined> {
	const binary = this.helpers.assertBinaryData(itemIndex, propertyName);
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (binary.id) {
		const metadata = await this.helpers.getBinaryMetadata(binary.id);
		if (typeof metadata.fileSize === 'number') return metadata.fileSize;
	}
	if (typeof binary.data === 'string' && binary.data && !binary.id) {
		const padding = binary.data.endsWith('==') ? 2 : binary.data.endsWith('=') ? 1 : 0;
		return Math.floor((binary.data.length * 3) / 4) - padding;
	}
	return undefined;
}

/** Reads a CSV or NDJSON file from a binary property, refusing files Appcues would refuse. */
export async function readInputFile(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	format: 'auto' | FileFormat,
	maxBytes: number,
): Promise<InputFile> {
	const binary = this.helpers.assertBinaryData(itemIndex, propertyName);
	const tooLarge = (bytes: number) =>
		new NodeOperationError(
			this.getNode(),
			`The file in "${propertyName}" is ${formatBytes(bytes)}, above the ${formatBytes(maxBytes)} Appcues accepts [item ${itemIndex}]`,
			{ description: 'Split the file into smaller files and upload each.', itemIndex },
		);
	const knownSize = await binarySize.call(this, itemIndex, propertyName);
	if (knownSize !== undefined && knownSize > maxBytes) throw tooLarge(knownSize);
	const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	if (buffer.length > maxBytes) throw tooLarge(buffer.length);
	if (buffer.length === 0) {
		throw new NodeOperationError(this.getNode(), `The file in "${propertyName}" is empty [item ${itemIndex}]`, { itemIndex });
	}
	const fileName = binary.fileName ?? `upload.${format === 'auto' ? 'csv' : format}`;
	const detected = format === 'auto' ? detectFormat(fileName, binary.mimeType, buffer) : format;
	return {
		buffer,
		fileName,
		format: detected,
		mimeType: detected === 'csv' ? 'text/csv' : 'application/x-ndjson',
	};
}

function detectFormat(fileName: string, mimeType: string | undefined, buffer: Buffer): FileFormat {
	const name = fileName.toLowerCase();
	if (name.endsWith('.csv') || mimeType === 'text/csv') return 'csv';
	if (/\.(nd)?jsonl?$/.test(name) || /ndjson|jsonl|json/.test(mimeType ?? '')) return 'ndjson';
	return firstLine(buffer).trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

function firstLine(buffer: Buffer): string {
	const head = buffer.subarray(0, Math.min(buffer.length, 64 * 1024)).toString('utf8').replace(/^\uFEFF/, '');
	const end = head.search(/\r?\n/);
	return end < 0 ? head : head.slice(0, end);
}

/** The header row of a CSV file: quoted names unquoted, a byte-order mark dropped. */
export function csvHeader(buffer: Buffer): string[] {
	const line = firstLine(buffer);
	const names: string[] = [];
	let current = '';
	let quoted = false;
	for (let index = 0; index < line.length; index++) {
		const char = line[index];
		if (quoted) {
			if (char === '"' && line[index + 1] === '"') {
				current += '"';
				index++;
			} else if (char === '"') quoted = false;
			else current += char;
		} else if (char === '"' && current.trim() === '') {
			// A quote opens a quoted field only at its start; elsewhere it is a plain character.
			quoted = true;
			current = '';
		} else if (char === ',') {
			names.push(current.trim());
			current = '';
		} else current += char;
	}
	names.push(current.trim());
	return names;
}

/** Refuses, before upload, a file whose first row lacks a column Appcues needs. */
export function assertColumns(
	this: IExecuteFunctions,
	file: InputFile,
	required: string[],
	itemIndex: number,
	{ only = false }: { only?: boolean } = {},
): void {
	if (file.format === 'csv') {
		const header = csvHeader(file.buffer);
		const missing = required.filter((column) => !header.includes(column));
		if (only && !missing.length && header.length !== required.length) {
			// Segment membership files: Appcues takes only the user_id column.
			throw new NodeOperationError(
				this.getNode(),
				`The CSV file must have only the ${required.map((column) => `"${column}"`).join(', ')} column [item ${itemIndex}]`,
				{ description: `Its header row is: ${header.join(',')}. Remove the other columns.`, itemIndex },
			);
		}
		if (missing.length) {
			throw new NodeOperationError(
				this.getNode(),
				`The CSV file has no ${missing.map((column) => `"${column}"`).join(', ')} column [item ${itemIndex}]`,
				{ description: `Its header row is: ${header.join(',') || '(empty)'}`, itemIndex },
			);
		}
		return;
	}
	const line = firstLine(file.buffer);
	let row: unknown;
	try {
		row = JSON.parse(line);
	} catch {
		throw new NodeOperationError(this.getNode(), `The first line of the NDJSON file is not JSON [item ${itemIndex}]`, {
			description: `It starts: ${line.slice(0, 120)}`,
			itemIndex,
		});
	}
	const missing = required.filter((field) => !(row && typeof row === 'object' && field in row));
	if (missing.length) {
		throw new NodeOperationError(
			this.getNode(),
			`The first row of the NDJSON file has no ${missing.map((field) => `"${field}"`).join(', ')} field [item ${itemIndex}]`,
			{ description: `It starts: ${line.slice(0, 120)}`, itemIndex },
		);
	}
}

/** A multipart body with the file in the part `file`, built with the platform FormData. */
export function multipartBody(file: InputFile): IHttpRequestOptions['body'] {
	const form = new FormData();
	form.append('file', new Blob([file.buffer], { type: file.mimeType }), file.fileName);
	return form as unknown as IHttpRequestOptions['body'];
}

export function formatBytes(bytes: number): string {
	if (bytes >= MB) return `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;
	if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${bytes} bytes`;
}

import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { itemError } from '../../helpers/errors';
import { runsAsTool } from '../../helpers/toolOutput';
import { type BinaryOutput, withBinary } from '../types';

/**
 * What a tool call answers: `content` (text and image items), an optional `data` list, and
 * `isError` when the tool ran and failed.
 */
export interface ToolEnvelope {
	content?: unknown;
	data?: unknown;
	isError?: unknown;
}

interface ContentItem {
	type?: unknown;
	text?: unknown;
	data?: unknown;
	mimeType?: unknown;
}

function contentItems(envelope: ToolEnvelope): ContentItem[] {
	return Array.isArray(envelope.content)
		? envelope.content.filter(
				(item): item is ContentItem => Boolean(item) && typeof item === 'object',
			)
		: [];
}

function texts(envelope: ToolEnvelope): string[] {
	return contentItems(envelope)
		.filter((item) => item.type === 'text' && typeof item.text === 'string')
		.map((item) => item.text as string);
}

/** Objects stay as they are; any other value becomes `{ value }`, since an item is an object. */
function asItem(value: unknown): IDataObject {
	return value && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: { value: value as IDataObject[keyof IDataObject] };
}

/** The one text item's JSON, when the content is exactly one text holding an object or array. */
function singleJsonText(envelope: ToolEnvelope): IDataObject | unknown[] | undefined {
	const [only, ...more] = texts(envelope);
	if (only === undefined || more.length) return undefined;
	try {
		const parsed: unknown = JSON.parse(only);
		return parsed && typeof parsed === 'object' ? (parsed as IDataObject | unknown[]) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The items of a successful call, the way Appcues' CLI renders it: a non-empty `data` list gives
 * one item per entry; else a content of one text that is JSON gives that JSON (one item per
 * element of an array); else the text items joined by new lines give `{ text }`.
 */
export function envelopeItems(envelope: ToolEnvelope): IDataObject[] {
	if (Array.isArray(envelope.data) && envelope.data.length) return envelope.data.map(asItem);
	const json = singleJsonText(envelope);
	if (Array.isArray(json)) return json.map(asItem);
	if (json) return [json];
	return [{ text: texts(envelope).join('\n') }];
}

/** The tool's own words when it reports an error (`isError: true`). */
export function errorText(envelope: ToolEnvelope): string {
	return texts(envelope).join('\n').trim();
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function imageItems(envelope: ToolEnvelope) {
	return contentItems(envelope).filter((item) => item.type === 'image');
}

/**
 * Image items as binary data (PNG, the only image type of the tools contract, unless the item
 * names another): the first in `data`, the next in `data_1`, `data_2`, ...
 */
export async function imageBinaries(
	this: IExecuteFunctions,
	envelope: ToolEnvelope,
	toolName: string,
	itemIndex: number,
): Promise<IBinaryKeyData> {
	const images = imageItems(envelope);
	const binary: IBinaryKeyData = {};
	for (const [index, image] of images.entries()) {
		const encoded = typeof image.data === 'string' ? image.data.replace(/\s+/g, '') : '';
		if (!encoded || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
			throw itemError(
				this.getNode(),
				`The account tool ${toolName} returned image ${index + 1} without valid base64 data`,
				{ itemIndex },
			);
		}
		const mimeType =
			typeof image.mimeType === 'string' && /^image\/[\w.+-]+$/.test(image.mimeType)
				? image.mimeType
				: 'image/png';
		const extension = mimeType === 'image/png' ? 'png' : mimeType.slice('image/'.length);
		const suffix = images.length > 1 ? `-${index + 1}` : '';
		binary[index === 0 ? 'data' : `data_${index}`] = await this.helpers.prepareBinaryData(
			Buffer.from(encoded, 'base64'),
			`${toolName}${suffix}.${extension}`,
			mimeType,
		);
	}
	return binary;
}

/**
 * The items of a call with its images attached, as binary data, to the first item. As an AI
 * agent's tool they are not decoded: n8n hands the model only the JSON of the items, so the first
 * item says how many images were left out instead.
 */
export async function callOutput(
	this: IExecuteFunctions,
	envelope: ToolEnvelope,
	toolName: string,
	itemIndex: number,
): Promise<Array<IDataObject | BinaryOutput>> {
	const items: Array<IDataObject | BinaryOutput> = envelopeItems(envelope);
	if (runsAsTool(this)) {
		const images = imageItems(envelope).length;
		if (!images) return items;
		const [first = { text: '' }, ...rest] = items as IDataObject[];
		return [{ ...first, images_left_out: images }, ...rest];
	}
	const binary = await imageBinaries.call(this, envelope, toolName, itemIndex);
	if (!Object.keys(binary).length) return items;
	const [first = { text: '' }, ...rest] = items as IDataObject[];
	return [withBinary(first, binary), ...rest];
}

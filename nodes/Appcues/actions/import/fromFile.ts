import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	assertColumns,
	formatBytes,
	MAX_FILE_BYTES,
	postFile,
	readInputFile,
	type FileFormat,
} from '../../helpers/files';
import { eachItem } from '../../helpers/gather';
import { finishJob, type WaitSettings } from '../../helpers/jobs';
import type { AppcuesClient } from '../../transport/client';
import { itemError } from '../../helpers/errors';

/** What is read of each item: its file and how to send it. */
export interface FileSettings {
	binaryPropertyName: string;
	fileFormat: 'auto' | FileFormat;
	uploadAs: 'multipart' | 'raw';
}

/** The same for every item. */
export interface FileRules {
	requiredColumns: string[];
	maxRawBytes: number;
}

/**
 * One import job per input item that carries a file. Each item's file settings are read with that
 * item, as each item is its own upload.
 */
export async function importFromFiles(
	this: IExecuteFunctions,
	client: AppcuesClient,
	items: INodeExecutionData[],
	route: string,
	readSettings: (itemIndex: number) => FileSettings,
	rules: FileRules,
	wait: WaitSettings | undefined,
): Promise<INodeExecutionData[]> {
	// Files are read one at a time, just before their upload; that each item has one is checked first.
	const prepare = (itemIndex: number) => {
		const settings = readSettings(itemIndex);
		this.helpers.assertBinaryData(itemIndex, settings.binaryPropertyName);
		return settings;
	};
	return await eachItem(this, items, prepare, async (settings, itemIndex) => {
		// The upload is its own function so that nothing holds the file while the job is polled.
		const { accepted, summary } = await uploadFile.call(
			this,
			client,
			route,
			settings,
			rules,
			itemIndex,
		);
		const final = await finishJob.call(this, client, accepted, itemIndex, wait);
		return { ...final, ...summary };
	});
}

async function uploadFile(
	this: IExecuteFunctions,
	client: AppcuesClient,
	route: string,
	settings: FileSettings,
	rules: FileRules,
	itemIndex: number,
) {
	const limit = settings.uploadAs === 'raw' ? rules.maxRawBytes : MAX_FILE_BYTES;
	const file = await readInputFile.call(
		this,
		itemIndex,
		settings.binaryPropertyName,
		settings.fileFormat,
		MAX_FILE_BYTES,
	);
	if (file.bytes > limit) {
		throw itemError(
			this.getNode(),
			`The file is ${formatBytes(file.bytes)}, ` +
				`above the ${formatBytes(limit)} limit of a raw request body`,
			{
				description: 'Set Upload As to Multipart Form Data, which takes files up to 200 MB.',
				itemIndex,
			},
		);
	}
	assertColumns.call(this, file, rules.requiredColumns, itemIndex);
	const accepted = await postFile(client, route, file, settings.uploadAs, itemIndex);
	return {
		accepted,
		summary: { file_name: file.fileName, format: file.format, bytes: file.bytes },
	};
}

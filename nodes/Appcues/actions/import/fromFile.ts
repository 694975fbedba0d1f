import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	assertColumns,
	formatBytes,
	MAX_FILE_BYTES,
	uploadInputFile,
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
		const limit = settings.uploadAs === 'raw' ? rules.maxRawBytes : MAX_FILE_BYTES;
		const { accepted, file } = await uploadInputFile.call(this, client, {
			itemIndex,
			propertyName: settings.binaryPropertyName,
			format: settings.fileFormat,
			path: route,
			as: settings.uploadAs,
			check: (read) => {
				if (read.bytes > limit) {
					throw itemError(
						this.getNode(),
						`The file is ${formatBytes(read.bytes)}, ` +
							`above the ${formatBytes(limit)} limit of a raw request body`,
						{
							description: 'Set Upload As to Multipart Form Data, which takes files up to 200 MB.',
							itemIndex,
						},
					);
				}
				assertColumns.call(this, read, rules.requiredColumns, itemIndex);
			},
		});
		const final = await finishJob.call(this, client, accepted, itemIndex, wait);
		return { ...final, file_name: file.fileName, format: file.format, bytes: file.bytes };
	});
}

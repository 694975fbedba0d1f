import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { experienceLocator } from '../../helpers/descriptions';
import { updateDisplayOptions } from '../../helpers/displayOptions';
import { downloadFields, readDownloadPlan } from '../../helpers/download';
import { requiredId } from '../../helpers/input';
import { itemError } from '../../helpers/errors';
import type { AppcuesClient } from '../../transport/client';
import { type DownloadSubject, downloadFromApi } from '../../transport/download';
import { path } from '../../transport/paths';
import { withBinary } from '../types';

const SCREENSHOTS: DownloadSubject = {
	what: 'the screenshots',
	file: 'The screenshots ZIP',
	again:
		'Run the node again; if Appcues redirected to a storage link, a new link is made each time.',
	smaller: 'download the screenshots of fewer experiences at a time',
};

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['experience'], operation: ['downloadScreenshots'] } },
	[
		{
			...experienceLocator,
			description:
				'The flow, checklist or other experience whose draft screenshots to download; ' +
				'the ID alone names it, the type only helps to pick it from the list',
		},
		...downloadFields(),
	],
);

export function prepare(this: IExecuteFunctions, itemIndex: number) {
	return {
		id: requiredId.call(this, 'experienceId', 'Experience', itemIndex),
		download: readDownloadPlan.call(this, itemIndex, 'Experience > Download Screenshots'),
	};
}

/** A ZIP file starts with a local file header, or is an empty archive (its end record alone). */
function isZip(data: Buffer): boolean {
	const signature = data.subarray(0, 4).toString('latin1');
	return signature === 'PK\x03\x04' || signature === 'PK\x05\x06';
}

/**
 * One route serves every experience type (screenshots/{id}). When Appcues redirects to a storage
 * host, the file is fetched there without any credentials.
 */
export async function execute(
	this: IExecuteFunctions,
	client: AppcuesClient,
	{ id, download }: ReturnType<typeof prepare>,
	itemIndex: number,
) {
	const fileName = `${id.replace(/[^\w.-]+/g, '_')}-screenshots.zip`;
	let bytes = 0;
	const binary = await downloadFromApi.call(
		this,
		client,
		path`/screenshots/${id}`,
		itemIndex,
		download.limits,
		SCREENSHOTS,
		async (data, contentType) => {
			if (!isZip(data)) {
				// A page, a JSON status or nothing: not the ZIP Appcues sends, whatever the status.
				throw itemError(
					this.getNode(),
					`The screenshots of ${id} are not a ZIP file ` +
						`(got ${data.length} bytes of ${contentType?.split(';')[0] || 'no stated type'})`,
					{
						description:
							'Check the Region and the Base URL in the Appcues credential, and that the ' +
							'experience has screenshots, then try again.',
						itemIndex,
					},
				);
			}
			bytes = data.length;
			return await this.helpers.prepareBinaryData(data, fileName, 'application/zip');
		},
	);
	return withBinary(
		{
			experience_id: id,
			file_name: fileName,
			mime_type: 'application/zip',
			bytes,
		},
		{ [download.propertyName]: binary },
	);
}

import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DownloadLimits } from '../transport/download';
import { MB } from './files';
import { optionalText, readNumber } from './input';
import { fileAsToolNotice, refuseFileAsTool } from './toolOutput';

/**
 * The download fields: the binary property and the limits of the download. `show` is merged into
 * their display options (e.g. only when Download Result is on). As an agent's tool, a notice says
 * that the download is refused (see readDownloadPlan).
 */
export function downloadFields(show: IDisplayOptions['show'] = {}): INodeProperties[] {
	const displayOptions = show && Object.keys(show).length ? { displayOptions: { show } } : {};
	return [
		{
			displayName: fileAsToolNotice,
			name: 'fileAsToolNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { ...show, '@tool': [true] } },
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			description: 'Name of the binary property to write the downloaded file to',
			...displayOptions,
		},
		{
			displayName: 'Download Timeout (Seconds)',
			name: 'downloadTimeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 3600 },
			default: 300,
			description:
				'Longest time for the whole download, from the ' +
				'request to the last byte: from 1 to 3600 seconds',
			...displayOptions,
		},
		{
			displayName: 'Max Download Size (MB)',
			name: 'maxDownloadSizeMb',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 2048 },
			default: 200,
			description:
				'Largest file accepted, from 1 to 2048 MB. A file is held in memory ' +
				'until n8n stores it, so the node downloads one file at a time: ' +
				'it holds at most one, however many items run at once.',
			...displayOptions,
		},
	];
}

export interface DownloadPlan {
	propertyName: string;
	limits: DownloadLimits;
}

/**
 * The download fields of an item, checked before any request (a bad limit sends nothing). As an
 * agent's tool the download is refused here, before anything is sent: the agent would never get
 * the file. `what` names the operation in that error.
 */
export function readDownloadPlan(
	this: IExecuteFunctions,
	itemIndex: number,
	what: string,
): DownloadPlan {
	refuseFileAsTool.call(this, itemIndex, what);
	const fields = downloadFields();
	const field = (name: string) => fields.find((candidate) => candidate.name === name)!;
	const timeoutField = field('downloadTimeoutSeconds');
	const sizeField = field('maxDownloadSizeMb');
	const seconds = readNumber.call(this, timeoutField, itemIndex);
	const megabytes = readNumber.call(this, sizeField, itemIndex);
	return {
		propertyName:
			optionalText.call(
				this,
				this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
				'Put Output File in Field',
				itemIndex,
			) || 'data',
		// Whole milliseconds and bytes: Node's timers refuse fractions.
		limits: { timeoutMs: Math.round(seconds * 1000), maxBytes: Math.floor(megabytes * MB) },
	};
}

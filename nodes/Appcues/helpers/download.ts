import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DownloadLimits } from '../transport/download';
import { itemError } from './errors';
import { MB } from './files';
import { optionalText } from './input';

export const DEFAULT_DOWNLOAD_TIMEOUT_SECONDS = 300;
export const DEFAULT_MAX_DOWNLOAD_MB = 200;

/**
 * The download fields: the binary property and the limits of the download. `show` is merged into
 * their display options (e.g. only when Download Result is on).
 */
export function downloadFields(show: IDisplayOptions['show'] = {}): INodeProperties[] {
	const displayOptions = show && Object.keys(show).length ? { displayOptions: { show } } : {};
	return [
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
			description: 'Longest time for the whole download, from the request to the last byte',
			...displayOptions,
		},
		{
			displayName: 'Max Download Size (MB)',
			name: 'maxDownloadSizeMb',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 2048 },
			default: 200,
			description: 'Largest file accepted; the file is held in memory while it is downloaded',
			...displayOptions,
		},
	];
}

export interface DownloadPlan {
	propertyName: string;
	limits: DownloadLimits;
}

/** The download fields of an item, checked before any request (a bad limit sends nothing). */
export function readDownloadPlan(this: IExecuteFunctions, itemIndex: number): DownloadPlan {
	const positive = (name: string, label: string, fallback: number) => {
		const value = this.getNodeParameter(name, itemIndex, fallback);
		if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return value;
		throw itemError(this.getNode(), `${label} must be a positive number`, { itemIndex });
	};
	return {
		propertyName:
			optionalText.call(
				this,
				this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
				'Put Output File in Field',
				itemIndex,
			) || 'data',
		limits: {
			timeoutMs:
				positive(
					'downloadTimeoutSeconds',
					'Download Timeout (Seconds)',
					DEFAULT_DOWNLOAD_TIMEOUT_SECONDS,
				) * 1000,
			maxBytes: Math.floor(
				positive('maxDownloadSizeMb', 'Max Download Size (MB)', DEFAULT_MAX_DOWNLOAD_MB) * MB,
			),
		},
	};
}

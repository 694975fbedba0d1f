import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { MB } from '../helpers/files';
import { checkedNumber } from '../helpers/input';

import { type ClientSettings, DEFAULT_CLIENT_SETTINGS } from '../transport/client';

export const DEFAULT_CONCURRENCY = 10;

// Defaults are literals because the n8n linter reads them statically; a test checks they match
// DEFAULT_CLIENT_SETTINGS and DEFAULT_CONCURRENCY.
export const optionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Max Concurrent Requests',
			name: 'maxConcurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 50 },
			default: 10,
			description:
				'How many items are sent to Appcues at the same time. ' +
				'The request rate limit applies on top.',
		},
		{
			displayName: 'Max Request Size (MB)',
			name: 'maxRequestSizeMb',
			type: 'number',
			typeOptions: { minValue: 0.001, maxValue: 20, numberPrecision: 3 },
			default: 20,
			description:
				'Largest body of one import request, from 0.001 to 20; rows are split across requests ' +
				'to stay below it. Appcues accepts up to 20 MB; 1 MB here is 1,000,000 bytes.',
			displayOptions: { show: { '/resource': ['import'] } },
		},
		{
			displayName: 'Max Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0.1, maxValue: 60, numberPrecision: 1 },
			default: 60,
			description:
				'Upper limit on the request rate of this node. Appcues allows 60 per second ' +
				'per account. The node starts at this rate and slows down by itself when ' +
				'Appcues answers 429; lower it when other systems use the same account.',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: 5,
			description:
				'How often a request answered 502 or 503 or 504, or cut off by the network, is tried ' +
				'again; a POST only when Appcues cannot have applied it (503, or nothing sent). ' +
				'A request answered 429 (never applied by Appcues) is tried up to three times as often.',
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 600, numberPrecision: 0 },
			default: 30,
			description: 'Longest wait before one retry, also when Appcues asks for a longer one',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 600, numberPrecision: 0 },
			default: 30,
			description:
				'How long one request may take, from sending it to the last byte of the answer. A ' +
				'timed-out GET, PATCH or DELETE is retried; a timed-out POST is not, since it may have ' +
				'gone through.',
		},
	],
};

export interface RunSettings extends ClientSettings {
	concurrency: number;
}

/** Options counted in whole numbers; the others take fractions. */
const WHOLE_NUMBER_OPTIONS = ['maxConcurrency', 'maxRetries'];

/**
 * An option given in Options, often by an expression, checked against the range the field shows
 * (see checkedNumber); an option not added gives `fallback`. Options are set once for the node and
 * read from the first input item.
 */
function optionNumber(
	this: IExecuteFunctions,
	options: IDataObject,
	name: string,
	fallback: number,
): number {
	if (!(name in options)) return fallback;
	const field = optionsField.options?.find((option) => option.name === name) as INodeProperties;
	return checkedNumber.call(this, field, options[name], 0, {
		whole: WHOLE_NUMBER_OPTIONS.includes(name),
		label: `Options: ${field.displayName}`,
	});
}

function readOptions(this: IExecuteFunctions): IDataObject {
	return this.getNodeParameter('options', 0, {}) as IDataObject;
}

/** The run settings from Options, checked before any request is sent. */
export function readRunSettings(this: IExecuteFunctions): RunSettings {
	const options = readOptions.call(this);
	const option = (name: string, fallback: number) =>
		optionNumber.call(this, options, name, fallback);
	return {
		...DEFAULT_CLIENT_SETTINGS,
		maxRetries: option('maxRetries', DEFAULT_CLIENT_SETTINGS.maxRetries),
		maxWaitMs: Math.round(
			option('maxRetryWaitSeconds', DEFAULT_CLIENT_SETTINGS.maxWaitMs / 1000) * 1000,
		),
		requestsPerSecond: option('requestsPerSecond', DEFAULT_CLIENT_SETTINGS.requestsPerSecond),
		concurrency: option('maxConcurrency', DEFAULT_CONCURRENCY),
		timeoutMs: Math.round(
			option('timeoutSeconds', DEFAULT_CLIENT_SETTINGS.timeoutMs / 1000) * 1000,
		),
	};
}

/** Max Request Size (MB) of an import, in whole bytes (1 MB is 1,000,000 bytes). */
export function readMaxRequestBytes(this: IExecuteFunctions): number {
	const megabytes = optionNumber.call(this, readOptions.call(this), 'maxRequestSizeMb', 20);
	return Math.floor(megabytes * MB);
}

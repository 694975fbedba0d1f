import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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
				'How many items are sent to Appcues at the same time. The request rate limit applies on top.',
		},
		{
			displayName: 'Max Request Size (MB)',
			name: 'maxRequestSizeMb',
			type: 'number',
			typeOptions: { minValue: 0.01, maxValue: 20, numberPrecision: 2 },
			default: 20,
			description:
				'Largest body of one import request; rows are split across requests to stay below it. Appcues accepts up to 20 MB; 1 MB here is 1,000,000 bytes.',
			displayOptions: { show: { '/resource': ['import'] } },
		},
		{
			displayName: 'Max Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0.1, maxValue: 60, numberPrecision: 1 },
			default: 60,
			description:
				'Upper limit on the request rate of this node. Appcues allows 60 per second per account. The node starts at this rate and slows down by itself when Appcues answers 429; lower it when other systems use the same account.',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: 5,
			description:
				'How often a request answered 502 or 503 or 504, or cut off by the network, is tried again; a POST only when Appcues cannot have applied it (503, or nothing sent). A request answered 429 (never applied by Appcues) is tried up to three times as often.',
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
				'How long to wait for Appcues to answer one request. A timed-out GET, PATCH or DELETE is retried; a timed-out POST is not, since it may have gone through.',
		},
	],
};

export interface RunSettings extends ClientSettings {
	concurrency: number;
}

/** Options counted in whole numbers; the others take fractions. */
const WHOLE_NUMBER_OPTIONS = ['maxConcurrency', 'maxRetries'];

/**
 * Checks an option given in Options, often by an expression: a number (or digits) within the
 * minValue and maxValue the field shows, whole where it counts something. Out of range is an
 * error naming the option, not a silent clamp: 0 requests per second must not turn the throttle off.
 */
function optionNumber(
	this: IExecuteFunctions,
	options: IDataObject,
	name: string,
	fallback: number,
): number {
	const raw = options[name];
	if (raw === undefined || raw === null || raw === '') return fallback;
	const field = optionsField.options?.find((option) => option.name === name) as INodeProperties;
	const { minValue = Number.NEGATIVE_INFINITY, maxValue = Number.POSITIVE_INFINITY } =
		field.typeOptions ?? {};
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	const whole = WHOLE_NUMBER_OPTIONS.includes(name);
	if (
		typeof value !== 'number' ||
		!Number.isFinite(value) ||
		value < minValue ||
		value > maxValue ||
		(whole && !Number.isInteger(value))
	) {
		const shown =
			typeof raw === 'string'
				? JSON.stringify(raw)
				: typeof raw === 'number'
					? String(raw)
					: typeof raw;
		throw new NodeOperationError(
			this.getNode(),
			`Options: ${field.displayName} must be ${whole ? 'a whole number' : 'a number'} from ${minValue} to ${maxValue}, not ${shown}`,
			{
				description: 'Nothing was sent. Change the option, or the expression that sets it.',
				itemIndex: 0,
			},
		);
	}
	return value;
}

/** The run settings from Options, checked before any request is sent. */
export function readRunSettings(this: IExecuteFunctions): RunSettings {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const option = (name: string, fallback: number) =>
		optionNumber.call(this, options, name, fallback);
	return {
		...DEFAULT_CLIENT_SETTINGS,
		maxRetries: option('maxRetries', DEFAULT_CLIENT_SETTINGS.maxRetries),
		maxWaitMs: option('maxRetryWaitSeconds', DEFAULT_CLIENT_SETTINGS.maxWaitMs / 1000) * 1000,
		requestsPerSecond: option('requestsPerSecond', DEFAULT_CLIENT_SETTINGS.requestsPerSecond),
		concurrency: option('maxConcurrency', DEFAULT_CONCURRENCY),
		timeoutMs: option('timeoutSeconds', DEFAULT_CLIENT_SETTINGS.timeoutMs / 1000) * 1000,
	};
}

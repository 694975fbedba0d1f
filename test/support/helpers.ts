import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';
import { afterEach, beforeEach, vi } from 'vitest';

import { runAppcuesNode, type NodeRunResult } from './run-node';
import { pollTimer } from '../../nodes/Appcues/helpers/jobs';
import {
	DEFAULT_ACCOUNT,
	type FakeAccount,
	FakeAppcues,
	type FakeAppcuesOptions,
} from '../fake-appcues/server';

export function credentialsFor(
	fake: FakeAppcues,
	account: FakeAccount = DEFAULT_ACCOUNT,
): ICredentialDataDecryptedObject {
	return {
		apiKey: account.apiKey,
		apiSecret: account.apiSecret,
		accountId: account.accountId,
		region: 'custom',
		baseUrl: fake.url,
		toolsBaseUrl: fake.toolsUrl,
		webhookSecret: '',
		legacyApiKey: account.legacyApiKey ?? '',
	};
}

/** Short waits keep retry tests fast; individual tests override them. */
export const FAST_OPTIONS = { maxRetryWaitSeconds: 0.02 };

export interface TestContext {
	fake: FakeAppcues;
	run: (
		parameters: INodeParameters,
		extra?: {
			items?: Array<IDataObject | INodeExecutionData>;
			continueOnFail?: boolean;
			credentials?: ICredentialDataDecryptedObject;
			asTool?: boolean;
		},
	) => Promise<NodeRunResult>;
}

/** A fresh fake Appcues per test, and a runner that points the node at it. */
export function useFakeAppcues(options: FakeAppcuesOptions = {}): TestContext {
	const context = {} as TestContext;
	beforeEach(async () => {
		context.fake = new FakeAppcues(options);
		await context.fake.start();
		context.run = (parameters, extra = {}) =>
			runAppcuesNode({
				parameters: {
					...parameters,
					options: { ...FAST_OPTIONS, ...(parameters.options as IDataObject) },
				},
				credentials: extra.credentials ?? credentialsFor(context.fake),
				items: extra.items,
				continueOnFail: extra.continueOnFail,
				asTool: extra.asTool,
			});
	});
	afterEach(async () => {
		await context.fake.close();
	});
	return context;
}

/**
 * Runs job polling on a virtual clock: `Date` is faked (it still moves on with real time), and each
 * wait between two polls moves it forward at once instead of sleeping. Backoff, the wait timeout
 * and the fake's request timestamps all see the full wait; the test does not spend it. Returns the
 * waits the node asked for, in order.
 */
export function useVirtualPollWaits(): number[] {
	const waits: number[] = [];
	beforeEach(() => {
		waits.length = 0;
		vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
		vi.spyOn(pollTimer, 'wait').mockImplementation(async (ms) => {
			waits.push(ms);
			vi.advanceTimersByTime(ms);
		});
	});
	afterEach(() => {
		vi.mocked(pollTimer.wait).mockRestore();
		vi.useRealTimers();
	});
	return waits;
}

export function basicAuth(user: string, password: string) {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** An input item carrying a file in the binary property `data`. */
export function fileItem(
	content: string | Buffer,
	fileName: string,
	mimeType: string,
	extra: Record<string, unknown> = {},
): INodeExecutionData {
	const buffer = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
	return {
		json: { fileName },
		binary: { data: { data: buffer.toString('base64'), mimeType, fileName, ...extra } as never },
	};
}

/** Like fileItem, with the file in the binary property `property`, which the item's json names. */
export function fileItemIn(
	property: string,
	content: string | Buffer,
	fileName: string,
	mimeType: string,
): INodeExecutionData {
	const item = fileItem(content, fileName, mimeType);
	return { json: { ...item.json, property }, binary: { [property]: item.binary!.data } };
}

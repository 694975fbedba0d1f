import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

/**
 * Watches buffers through weak references only: at each wait between job polls (with
 * useVirtualPollWaits), a full garbage collection, then how many watched buffers are alive.
 * `during` replaces one of Buffer's factories while `run` runs, and watches what `watch` picks
 * of what it makes (a vi.spyOn would keep every value it returned).
 */
export function watchBuffersAtPolls() {
	setFlagsFromString('--expose-gc');
	const collect = runInNewContext('gc') as () => void;
	const watched: Array<WeakRef<Buffer>> = [];
	const aliveAtPolls: number[] = [];
	vi.mocked(pollTimer.wait).mockImplementation(async (ms) => {
		vi.advanceTimersByTime(ms);
		// Later turns: V8 keeps what a WeakRef was made or read in alive until its turn ends, and
		// Node's HTTP client lets go of a finished request's body a turn or two after its answer.
		// What is held for longer than a few tries is held for good.
		let alive = watched.length;
		for (let tries = 0; alive > 0 && tries < 10; tries++) {
			await new Promise((resolve) => setTimeout(resolve, 10));
			collect();
			alive = watched.filter((ref) => ref.deref()).length;
		}
		aliveAtPolls.push(alive);
	});
	return {
		aliveAtPolls,
		watched: () => watched.length,
		async during<T>(
			factory: 'allocUnsafe' | 'from',
			watch: (buffer: Buffer, args: unknown[]) => boolean,
			run: () => Promise<T>,
		): Promise<T> {
			const original = Buffer[factory] as (...args: unknown[]) => Buffer;
			Buffer[factory] = ((...args: unknown[]) => {
				const buffer = original.apply(Buffer, args);
				if (watch(buffer, args)) watched.push(new WeakRef(buffer));
				return buffer;
			}) as never;
			try {
				return await run();
			} finally {
				Buffer[factory] = original as never;
			}
		},
	};
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

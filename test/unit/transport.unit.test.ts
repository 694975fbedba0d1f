import { describe, expect, it } from 'vitest';

import { DEFAULT_CONCURRENCY, optionsField } from '../../nodes/Appcues/actions/options';
import { MAX_BODY_BYTES, MB } from '../../nodes/Appcues/helpers/files';
import { DEFAULT_CLIENT_SETTINGS } from '../../nodes/Appcues/transport/client';
import { describeProblem, readProblem } from '../../nodes/Appcues/transport/errors';
import { encodeSegment, path, UnsafePathSegmentError } from '../../nodes/Appcues/transport/paths';
import { baseUrlFor } from '../../nodes/Appcues/transport/region';
import {
	classifyConnectionError,
	handleFailure,
	parseRetryAfter,
	retryDelayMs,
} from '../../nodes/Appcues/transport/retry';

describe('paths', () => {
	it('encodes each interpolated value as one segment', () => {
		expect(path`/users/${'a/b'}/profile`).toBe('/users/a%2Fb/profile');
		expect(path`/${'flows-v2'}/${'x y'}/publish`).toBe('/flows-v2/x%20y/publish');
	});
	it.each(['', '.', '..'])('refuses %j', (value) => {
		expect(() => encodeSegment(value)).toThrow(UnsafePathSegmentError);
	});
});

describe('region', () => {
	it('maps regions to base URLs', () => {
		expect(baseUrlFor({ region: 'us' })).toBe('https://api.appcues.com');
		expect(baseUrlFor({ region: 'eu' })).toBe('https://api.eu.appcues.com');
		expect(baseUrlFor({ region: 'custom', baseUrl: 'http://127.0.0.1:1234//' })).toBe(
			'http://127.0.0.1:1234',
		);
		expect(baseUrlFor({ region: 'custom', baseUrl: ' ' })).toBeUndefined();
		expect(baseUrlFor({})).toBe('https://api.appcues.com');
	});
});

describe('retry policy', () => {
	const now = Date.parse('2026-11-26T12:00:00Z');
	it('parses Retry-After as seconds or an HTTP date', () => {
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter('1.5', now)).toBe(1500);
		expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:10 GMT', now)).toBe(10_000);
		expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter(['2'], now)).toBe(2000);
	});
	it('uses full jitter below an exponential step, capped', () => {
		const policy = { maxRetries: 5, maxWaitMs: 5000 };
		expect(retryDelayMs(0, policy, undefined, () => 0.999)).toBe(999);
		expect(retryDelayMs(2, policy, undefined, () => 0.5)).toBe(2000);
		expect(retryDelayMs(10, policy, undefined, () => 0.999)).toBe(4995);
		expect(retryDelayMs(3, policy, undefined, () => 0)).toBe(0);
	});
	it('prefers Retry-After, capped at the maximum wait', () => {
		expect(retryDelayMs(0, { maxRetries: 5, maxWaitMs: 5000 }, 3000)).toBe(3000);
		expect(retryDelayMs(0, { maxRetries: 5, maxWaitMs: 5000 }, 60_000)).toBe(5000);
	});
	it('a Retry-After shorter than the backoff (0, a past date, negative) never shortens it', () => {
		const policy = { maxRetries: 5, maxWaitMs: 30_000 };
		expect(parseRetryAfter('-5', now)).toBeUndefined();
		expect(parseRetryAfter('2', now)).toBe(2000);
		for (const retryAfter of [
			0,
			parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now),
			parseRetryAfter('-5', now),
		]) {
			expect(retryDelayMs(3, policy, retryAfter, () => 0.5)).toBe(4000);
		}
		expect(retryDelayMs(3, policy, 6000, () => 0.5)).toBe(6000);
	});
	it('retries a POST only when Appcues cannot have applied it', () => {
		const table = (method: string) =>
			[429, 500, 502, 503, 504, 400]
				.map((status) => handleFailure(method, { status }))
				.concat(
					(['not-sent', 'maybe-sent'] as const).map((connection) =>
						handleFailure(method, { connection }),
					),
				);
		expect(table('POST')).toEqual([
			'retry',
			'may-have-applied',
			'may-have-applied',
			'retry',
			'may-have-applied',
			'fail',
			'retry',
			'may-have-applied',
		]);
		for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
			expect(table(method)).toEqual([
				'retry',
				'fail',
				'retry',
				'retry',
				'retry',
				'fail',
				'retry',
				'retry',
			]);
		}
	});
	it('tells failures before sending from failures after', () => {
		expect(classifyConnectionError('ECONNREFUSED')).toBe('not-sent');
		expect(classifyConnectionError('ECONNRESET')).toBe('maybe-sent');
		expect(classifyConnectionError('ETIMEDOUT')).toBe('maybe-sent');
		expect(classifyConnectionError('EACCES')).toBeUndefined();
	});
});

describe('Appcues error bodies', () => {
	it('reads title and detail', () => {
		const problem = readProblem({
			error: true,
			status: 404,
			title: 'Not Found',
			detail: 'flow not found',
		});
		expect(describeProblem(problem)).toBe('Not Found: flow not found');
	});
	it('reads a JSON string body', () => {
		expect(
			describeProblem(readProblem('{"title":"Bad Request","detail":"name is required"}')),
		).toBe('Bad Request: name is required');
	});
	it('shortens a non-JSON body', () => {
		const problem = readProblem(`<html>${'x'.repeat(500)}</html>`);
		expect(problem.raw?.length).toBe(201);
		expect(problem.raw?.endsWith('…')).toBe(true);
	});
	it('handles empty and odd bodies', () => {
		expect(readProblem('')).toEqual({});
		expect(readProblem(undefined)).toEqual({});
		expect(readProblem({ foo: 1 })).toEqual({ raw: '{"foo":1}' });
	});
});

describe('options', () => {
	it('UI defaults match the transport defaults', () => {
		const defaults = Object.fromEntries(
			(optionsField.options ?? []).map((option) => [
				option.name,
				(option as { default: unknown }).default,
			]),
		);
		expect(defaults).toEqual({
			maxConcurrency: DEFAULT_CONCURRENCY,
			maxRequestSizeMb: MAX_BODY_BYTES / MB,
			requestsPerSecond: DEFAULT_CLIENT_SETTINGS.requestsPerSecond,
			maxRetries: DEFAULT_CLIENT_SETTINGS.maxRetries,
			maxRetryWaitSeconds: DEFAULT_CLIENT_SETTINGS.maxWaitMs / 1000,
			timeoutSeconds: DEFAULT_CLIENT_SETTINGS.timeoutMs / 1000,
		});
	});
});

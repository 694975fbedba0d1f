import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { ensureNodeError, itemError } from '../../../../nodes/Appcues/helpers/errors';
import { UnsafePathSegmentError } from '../../../../nodes/Appcues/transport/paths';
import { plainNode } from '../../../support/fixtures';

const node = plainNode;

const repoRoot = join(__dirname, '..', '..', '..', '..');

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory()
			? sourceFiles(join(dir, entry.name))
			: entry.name.endsWith('.ts')
				? [join(dir, entry.name)]
				: [],
	);
}

describe('itemError: the one place the [item N] suffix is written', () => {
	it('ends the message with the item and puts the index and description into the context', () => {
		const error = itemError(node, 'Properties is not valid JSON', {
			itemIndex: 3,
			description: 'Enter a JSON object.',
		});
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Properties is not valid JSON [item 3]');
		expect(error.context.itemIndex).toBe(3);
		expect(error.description).toBe('Enter a JSON object.');
	});

	it('no source file writes the suffix by hand', () => {
		const writers = [
			...sourceFiles(join(repoRoot, 'nodes')),
			...sourceFiles(join(repoRoot, 'credentials')),
		]
			.filter((file) => readFileSync(file, 'utf8').includes('[item ${'))
			.map((file) => relative(repoRoot, file));
		expect(writers).toEqual(['nodes/Appcues/helpers/errors.ts']);
	});
});

describe('ensureNodeError', () => {
	it('keeps errors of this package as they are and fills in a missing item index', () => {
		const operationError = new NodeOperationError(
			node,
			'Request to Appcues failed: socket hang up',
		);
		expect(ensureNodeError(node, operationError, 2)).toBe(operationError);
		expect(operationError.message).toBe('Request to Appcues failed: socket hang up');
		expect(operationError.context.itemIndex).toBe(2);

		const apiError = new NodeApiError(node, { message: 'Not Found' }, { itemIndex: 1 });
		expect(ensureNodeError(node, apiError, 4)).toBe(apiError);
		expect(apiError.context.itemIndex).toBe(1);
	});

	it('wraps a foreign error by its message only; an unsafe ID names its item', () => {
		const foreign = Object.assign(new Error('boom'), { options: { auth: 'secret' } });
		const wrapped = ensureNodeError(node, foreign, 0);
		expect(wrapped).toBeInstanceOf(NodeOperationError);
		expect(wrapped.message).toBe('boom');
		expect(JSON.stringify(wrapped)).not.toContain('secret');

		const unsafe = ensureNodeError(node, new UnsafePathSegmentError('..'), 5);
		expect(unsafe.message).toMatch(/ \[item 5\]$/);
		expect(unsafe.context.itemIndex).toBe(5);
	});
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { INodeProperties } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { resources } from '../../nodes/Appcues/actions/router';
import { buildOutputSchemas, SCHEMA_DIR } from './output-schemas';
import { repoRoot } from '../e2e/lib/n8n';
import { useVirtualPollWaits } from '../support/helpers';

function filesBelow(dir: string): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.json'))
		.map((file) => file.replace(/\\/g, '/'))
		.sort();
}

const operations = Object.entries(resources).flatMap(([resource, module]) => {
	const field = module.description.find((p) => p.name === 'operation') as INodeProperties;
	return (field.options as Array<{ value: string }>).map((option) => `${resource}/${option.value}`);
});

describe('output schemas (the editor previews them before a node ran)', () => {
	useVirtualPollWaits();

	it('exist for every operation, and for nothing else', () => {
		expect(filesBelow(SCHEMA_DIR)).toEqual(operations.map((path) => `${path}.json`).sort());
	});

	it('match what the operations output against the demo sandbox (npm run schemas rewrites them)', async () => {
		const built = await buildOutputSchemas();
		for (const [path, schema] of Object.entries(built)) {
			const file = JSON.parse(readFileSync(join(SCHEMA_DIR, `${path}.json`), 'utf8')) as unknown;
			expect({ path, schema: file }).toEqual({ path, schema });
			// n8n ignores a schema without `type` and non-empty `properties` (isNonEmptyJsonSchema).
			expect(Object.keys(schema.properties ?? {}).length, path).toBeGreaterThan(0);
		}
	}, 120_000);

	it('are copied into dist where n8n serves them from (__schema__/v1.0.0 beside Appcues.node.js)', () => {
		const distDir = join(repoRoot(), 'dist', 'nodes', 'Appcues', '__schema__', 'v1.0.0');
		expect(existsSync(join(repoRoot(), 'dist')), 'run npm run build first').toBe(true);
		expect(filesBelow(distDir)).toEqual(filesBelow(SCHEMA_DIR));
		expect(relative(join(repoRoot(), 'dist', 'nodes', 'Appcues'), distDir)).toBe(
			join('__schema__', 'v1.0.0'),
		);
	});
});

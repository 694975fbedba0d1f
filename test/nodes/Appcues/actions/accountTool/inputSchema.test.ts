import { describe, expect, it } from 'vitest';

import {
	argumentFields,
	missingArguments,
	requiredArguments,
} from '../../../../../nodes/Appcues/actions/accountTool/inputSchema';

describe('argument fields from an input schema', () => {
	it('one field per property: its type, its title, whether it is required; enums as options', () => {
		const fields = argumentFields({
			type: 'object',
			properties: {
				name: { type: 'string', title: 'Campaign name' },
				priority: { type: 'integer' },
				ratio: { type: ['number', 'null'] },
				draft: { type: 'boolean' },
				tags: { type: 'array', items: { type: 'string' } },
				meta: { type: 'object' },
				channel: { type: 'string', enum: ['web', 'mobile'] },
				anything: {},
			},
			required: ['name', 'channel'],
		});
		expect(
			fields.map((field) => [field.id, field.displayName, field.type, field.required]),
		).toEqual([
			['name', 'Campaign name', 'string', true],
			['priority', 'priority', 'number', false],
			['ratio', 'ratio', 'number', false],
			['draft', 'draft', 'boolean', false],
			['tags', 'tags', 'array', false],
			['meta', 'meta', 'object', false],
			['channel', 'channel', 'options', true],
			['anything', 'anything', 'string', false],
		]);
		expect(fields.find((field) => field.id === 'channel')?.options).toEqual([
			{ name: 'web', value: 'web' },
			{ name: 'mobile', value: 'mobile' },
		]);
		expect(fields.every((field) => field.display && !field.defaultMatch)).toBe(true);
	});

	it('a schema without properties gives no fields; `required` must be a list of names', () => {
		expect(argumentFields(undefined)).toEqual([]);
		expect(argumentFields({ type: 'object', properties: [] as never })).toEqual([]);
		expect(requiredArguments({ required: 'name' })).toEqual([]);
		expect(requiredArguments({ required: ['a', 3, 'b'] as never })).toEqual(['a', 'b']);
	});

	it('missing means absent, null or blank text; 0 and false are values', () => {
		expect(
			missingArguments(['a', 'b', 'c', 'd', 'e'], { b: null, c: '  ', d: 0, e: false }),
		).toEqual(['a', 'b', 'c']);
	});
});

import { describe, expect, it } from 'vitest';

import { booleanValue } from '../../../nodes/shared/booleanValue';

describe('booleanValue', () => {
	it('takes booleans, and "true" or "false" in any case with spaces around', () => {
		expect([true, false, 'true', 'FALSE', ' False ', 'tRuE\n'].map(booleanValue)).toEqual([
			true,
			false,
			true,
			false,
			false,
			true,
		]);
	});

	it('gives undefined for anything else, so "false" is never a truthy yes', () => {
		for (const value of ['', 'yes', 'no', '0', '1', 'f', 0, 1, null, undefined, [], {}, ['true']])
			expect(booleanValue(value)).toBeUndefined();
	});
});

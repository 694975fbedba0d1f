import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('job resource', () => {
	const t = useFakeAppcues();

	it('get of an unknown job shows Appcues detail', async () => {
		const result = await t.run({ resource: 'job', operation: 'get', jobId: 'nope' });
		expect(result.error?.message).toBe('Appcues API error 404: Not Found: no such job');
	});
});

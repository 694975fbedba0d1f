import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('experience resource', () => {
	const t = useFakeAppcues();

	it('reads the id from a Studio URL', async () => {
		t.fake.state().experiences.get('flows')!.set('f-9', { id: 'f-9', name: 'Welcome' });
		const result = await t.run({
			resource: 'experience',
			operation: 'get',
			experienceType: 'flows',
			experienceId: {
				__rl: true,
				mode: 'url',
				value: 'https://studio.appcues.com/flows/f-9/settings',
			},
		});
		expect(result.items[0].json.name).toBe('Welcome');
	});
});

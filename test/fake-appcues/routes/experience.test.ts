import { describe, expect, it } from 'vitest';

import { unzip } from '../zip';
import { AUTH, problem, useFake } from '../use-fake';

describe('fake Appcues: experience screenshots', () => {
	const t = useFake();
	const seed = () => {
		t.fake.state().experiences.get('checklists')!.set('c1', { id: 'c1', name: 'Checklist' });
		t.fake
			.state()
			.experiences.get('flows')!
			.set('f1', { id: 'f1', name: 'Tour', steps: [{}, {}, {}] });
	};

	it('GET screenshots/{id} answers the ZIP for an id of any experience type', async () => {
		seed();
		for (const [id, steps] of [
			['f1', 3],
			['c1', 2],
		] as const) {
			const response = await t.api(`/screenshots/${id}`);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toBe('application/zip');
			const archive = Buffer.from(await response.arrayBuffer());
			expect(archive.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
			const entries = unzip(archive);
			expect(entries.map((entry) => entry.name)).toEqual(
				Array.from({ length: steps }, (_, index) => `step-${index + 1}.png`),
			);
			expect(entries[0].data.subarray(1, 4).toString('latin1')).toBe('PNG');
		}
	});

	it('an unknown id is a 404 "content not found"; the route needs the credentials', async () => {
		expect(await problem(await t.api('/screenshots/nope'))).toEqual({
			error: true,
			status: 404,
			title: 'Not Found',
			detail: 'content not found',
		});
		seed();
		const anonymous = await fetch(`${t.fake.url}/v2/accounts/12345/screenshots/f1`);
		expect(anonymous.status).toBe(401);
	});

	it('in redirect mode it answers 302 to a presigned storage URL that refuses the Authorization header', async () => {
		seed();
		t.fake.configure({ screenshotDelivery: 'redirect' });
		const response = await t.api('/screenshots/f1', { redirect: 'manual' });
		expect(response.status).toBe(302);
		const location = String(response.headers.get('location'));
		expect(location).toMatch(/\/__download\/[0-9a-f]{32}\.zip\?X-Amz-Algorithm=/);
		const withAuth = await fetch(location, { headers: { authorization: AUTH } });
		expect(withAuth.status).toBe(400);
		expect(await withAuth.text()).toContain('<Code>InvalidArgument</Code>');
		const plain = await fetch(location);
		expect(plain.status).toBe(200);
		expect(plain.headers.get('content-type')).toBe('application/zip');
		expect(unzip(Buffer.from(await plain.arrayBuffer()))).toHaveLength(3);
		const again = await t.api('/screenshots/f1', { redirect: 'manual' });
		expect(again.headers.get('location')).not.toBe(location);
	});
});

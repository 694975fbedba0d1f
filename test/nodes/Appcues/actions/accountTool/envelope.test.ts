/**
 * How a tool's answer becomes items, as Appcues' CLI renders it (data list, JSON in text, text),
 * plus the binary images; answers the fake's tools do not give are injected as its reply.
 */
import { describe, expect, it } from 'vitest';

import { envelopeItems } from '../../../../../nodes/Appcues/actions/accountTool/envelope';
import { SCREENSHOT_PNG_BASE64 } from '../../../../fake-appcues/routes/tools';
import { useFakeAppcues } from '../../../../support/helpers';

const text = (value: string) => ({ type: 'text', text: value });

describe('envelopeItems', () => {
	it('a non-empty data list wins, each entry an item (a non-object entry as { value })', () => {
		expect(envelopeItems({ content: [text('{"a":1}')], data: [{ id: 'c1' }, 'raw'] })).toEqual([
			{ id: 'c1' },
			{ value: 'raw' },
		]);
	});

	it('an empty data list falls back to the content, as the CLI does', () => {
		expect(envelopeItems({ content: [text('{"a":1}')], data: [] })).toEqual([{ a: 1 }]);
	});

	it('one JSON text: an object is one item, an array one item per element', () => {
		expect(envelopeItems({ content: [text('[{"id":1},{"id":2},3]')] })).toEqual([
			{ id: 1 },
			{ id: 2 },
			{ value: 3 },
		]);
		expect(envelopeItems({ content: [text('[]')] })).toEqual([]);
	});

	it('scalars, prose, several texts and no text at all give { text }', () => {
		expect(envelopeItems({ content: [text('42')] })).toEqual([{ text: '42' }]);
		expect(envelopeItems({ content: [text('"quoted"')] })).toEqual([{ text: '"quoted"' }]);
		expect(envelopeItems({ content: [text('{"a":1}'), text('more')] })).toEqual([
			{ text: '{"a":1}\nmore' },
		]);
		expect(
			envelopeItems({ content: [text('a'), { type: 'image', data: 'aGk=' }, text('b')] }),
		).toEqual([{ text: 'a\nb' }]);
		expect(envelopeItems({})).toEqual([{ text: '' }]);
		expect(envelopeItems({ content: 'not a list' })).toEqual([{ text: '' }]);
	});
});

describe('images of a call', () => {
	const t = useFakeAppcues();

	function answer(envelope: unknown, extra: { asTool?: boolean } = {}) {
		t.fake.addFault({
			kind: 'status',
			status: 200,
			method: 'POST',
			pathIncludes: 'v1/tools',
			body: JSON.stringify(envelope),
		});
		return t.run(
			{
				resource: 'accountTool',
				operation: 'call',
				toolName: { __rl: true, mode: 'name', value: 'list_issue_spikes' },
			},
			{ continueOnFail: true, ...extra },
		);
	}

	it('several images: data, data_1, ... on the first item; the data list still gives every item', async () => {
		const jpeg = Buffer.from('not really a jpeg').toString('base64');
		const result = await answer({
			content: [
				{ type: 'image', data: SCREENSHOT_PNG_BASE64 },
				{ type: 'image', data: jpeg, mimeType: 'image/jpeg' },
			],
			data: [{ id: 'a' }, { id: 'b' }],
		});
		expect(result.items.map((item) => item.json)).toEqual([{ id: 'a' }, { id: 'b' }]);
		expect(result.items[1].binary).toBeUndefined();
		const binary = result.items[0].binary!;
		expect(Object.keys(binary)).toEqual(['data', 'data_1']);
		expect(binary.data).toMatchObject({
			mimeType: 'image/png',
			fileName: 'list_issue_spikes-1.png',
		});
		expect(binary.data_1).toMatchObject({
			mimeType: 'image/jpeg',
			fileName: 'list_issue_spikes-2.jpeg',
		});
		expect(Buffer.from(binary.data_1.data, 'base64').toString()).toBe('not really a jpeg');
	});

	it("as an AI agent's tool, images are not attached (n8n drops them): the first item counts them", async () => {
		const envelope = {
			content: [
				{ type: 'image', data: SCREENSHOT_PNG_BASE64 },
				{ type: 'text', text: 'two spikes' },
				{ type: 'image', data: SCREENSHOT_PNG_BASE64 },
			],
		};
		const result = await answer(envelope, { asTool: true });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([
			{ text: 'two spikes', images_left_out: 2 },
		]);
		expect(result.items[0].binary).toBeUndefined();
	});

	it('an image that is not base64 is an item error, not a broken file', async () => {
		const result = await answer({ content: [{ type: 'image', data: 'ab$cd' }], isError: false });
		expect(result.items[0].json.error).toBe(
			'The account tool list_issue_spikes returned image 1 without valid base64 data [item 0]',
		);
	});

	it('isError without any text still fails, saying the tool gave no reason', async () => {
		const result = await answer({ content: [], isError: true });
		expect(result.items[0].json.error).toBe(
			'The account tool list_issue_spikes failed: it gave no reason [item 0]',
		);
	});
});

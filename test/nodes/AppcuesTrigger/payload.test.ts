import { describe, expect, it } from 'vitest';

import {
	contentTypeProblem,
	eventIdOf,
	eventKeyOf,
	eventNameOf,
	eventTimeOf,
	eventsFromJson,
	eventsFromRawBody,
	experienceIdsOf,
	numericIdTexts,
} from '../../../nodes/AppcuesTrigger/payload';

describe('contentTypeProblem', () => {
	it('accepts JSON types and a missing header', () => {
		for (const type of [
			undefined,
			'',
			'application/json',
			'application/json; charset=utf-8',
			'Application/JSON;charset="UTF-8"',
			'application/vnd.appcues+json',
			'text/json',
		]) {
			expect(contentTypeProblem(type), String(type)).toBeUndefined();
		}
	});

	it('refuses other types and charsets', () => {
		for (const type of [
			'text/plain',
			'application/x-www-form-urlencoded',
			'multipart/form-data; boundary=x',
			'application/xml',
			'application/json; charset=utf-16',
		]) {
			expect(contentTypeProblem(type), type).toMatch(/not supported/);
		}
		expect(contentTypeProblem('text/plain')).toBe(
			'Content-Type "text/plain" is not supported: send the event as application/json',
		);
		expect(contentTypeProblem('application/json; charset="<b>"')).toBe(
			'Charset is not supported: send the body as UTF-8',
		);
	});
});

describe('eventsFromRawBody', () => {
	it('gives one event for an object and several for an array', () => {
		expect(eventsFromRawBody(Buffer.from('{"name":"a"}'))).toEqual({ events: [{ name: 'a' }] });
		expect(eventsFromRawBody(Buffer.from('[{"name":"a"},{"name":"b"}]'))).toEqual({
			events: [{ name: 'a' }, { name: 'b' }],
		});
	});

	it('skips a UTF-8 byte order mark', () => {
		expect(eventsFromRawBody(Buffer.from('\uFEFF{"name":"a"}'))).toEqual({
			events: [{ name: 'a' }],
		});
	});

	it('names the problem with bad bodies', () => {
		expect(eventsFromRawBody(Buffer.alloc(0))).toEqual({ problem: 'The body is empty' });
		expect(eventsFromRawBody(Buffer.from('  \n'))).toEqual({ problem: 'The body is empty' });
		expect(eventsFromRawBody(Buffer.from('{"name":'))).toEqual({
			problem: 'The body is not valid JSON',
		});
		expect(eventsFromRawBody(Buffer.from('name=a'))).toEqual({
			problem: 'The body is not valid JSON',
		});
		expect(eventsFromRawBody(Buffer.from('{}'))).toHaveProperty('problem');
		expect(eventsFromRawBody(Buffer.from('[]'))).toHaveProperty('problem');
		expect(eventsFromRawBody(Buffer.from('"text"'))).toHaveProperty('problem');
		expect(eventsFromRawBody(Buffer.from('42'))).toHaveProperty('problem');
		expect(eventsFromRawBody(Buffer.from('null'))).toHaveProperty('problem');
		expect(eventsFromRawBody(Buffer.from('[{"a":1},2]'))).toHaveProperty('problem');
		// Bytes that are not UTF-8 (Latin-1 é, a lone continuation byte, a cut sequence).
		for (const bytes of [[0xe9], [0x80], [0xe2, 0x82]]) {
			const body = Buffer.concat([Buffer.from('{"id":"e'), Buffer.from(bytes), Buffer.from('"}')]);
			expect(eventsFromRawBody(body)).toEqual({ problem: 'The body is not valid UTF-8' });
		}
		expect(eventsFromRawBody(Buffer.from('{"id":"é €"}'))).toEqual({ events: [{ id: 'é €' }] });
	});
});

describe('eventsFromJson', () => {
	it('treats the empty object n8n gives for an empty body as empty', () => {
		expect(eventsFromJson({})).toHaveProperty('problem');
		expect(eventsFromJson(undefined)).toHaveProperty('problem');
	});
});

describe('payload fields', () => {
	it('reads the event name from name, event, event_name, eventName in that order', () => {
		expect(eventNameOf({ name: 'a', event: 'b' })).toBe('a');
		expect(eventNameOf({ event: 'b', event_name: 'c' })).toBe('b');
		expect(eventNameOf({ event_name: 'c' })).toBe('c');
		expect(eventNameOf({ eventName: 'd' })).toBe('d');
		expect(eventNameOf({ event: { name: 'nested' } })).toBeUndefined();
		expect(eventNameOf({})).toBeUndefined();
	});

	it('reads the event id from id, event_id, eventId', () => {
		expect(eventIdOf({ id: 'e1', event_id: 'e2' })).toBe('e1');
		expect(eventIdOf({ event_id: 'e2' })).toBe('e2');
		expect(eventIdOf({ eventId: 7 })).toBe('7');
		expect(eventIdOf({ id: 'x'.repeat(257) })).toBeUndefined();
		expect(eventIdOf({ id: '' })).toBeUndefined();
	});

	it('reads flow and experience ids at the top level and under attributes', () => {
		expect(
			experienceIdsOf({ flowId: 'f1', attributes: { flow_id: 'f2', experienceId: 'x1' } }),
		).toEqual(['f1', 'f2', 'x1']);
		expect(experienceIdsOf({ experience_id: 'x2' })).toEqual(['x2']);
		expect(experienceIdsOf({ attributes: 'nope' })).toEqual([]);
	});
});

describe('event keys', () => {
	const keysOf = (body: string) => {
		const parsed = eventsFromRawBody(Buffer.from(body));
		if ('problem' in parsed) throw new Error(parsed.problem);
		return parsed.events.map((event, i) => eventKeyOf(event, parsed.idTexts?.[i]));
	};

	it('keys a numeric id by its digits as sent, not by its rounded double', () => {
		expect(JSON.parse('9007199254740993')).toBe(9007199254740992);
		expect(keysOf('{"id":9007199254740993}')).toEqual(['id:9007199254740993']);
		expect(keysOf('{"id":9007199254740992}')).toEqual(['id:9007199254740992']);
		expect(keysOf('[{"id":12345678901234567891},{"id":12345678901234567892}]')).toEqual([
			'id:12345678901234567891',
			'id:12345678901234567892',
		]);
	});

	it('keeps the key of small ids and strings as before', () => {
		expect(keysOf('{"id":1}')).toEqual(['id:1']);
		expect(keysOf('{"id":"1"}')).toEqual(['id:"1"']);
		expect(keysOf('{"event_id":-7}')).toEqual(['event_id:-7']);
	});

	it('reads the id of each element of an array, and only top-level fields', () => {
		expect(
			numericIdTexts(
				' [ {"a":{"id":1},"b":[{"id":2}],"id":30000000000000000001} , {"s":"}{\\"id\\":5","eventId":4e2} ]',
			),
		).toEqual([new Map([['id', '30000000000000000001']]), new Map([['eventId', '4e2']])]);
	});

	it('reads escaped keys, and the last of repeated keys, as JSON.parse does', () => {
		expect(numericIdTexts('{"\\u0069d":90071992547409931}')).toEqual([
			new Map([['id', '90071992547409931']]),
		]);
		expect(numericIdTexts('{"id":1,"id":2}')).toEqual([new Map([['id', '2']])]);
		expect(numericIdTexts('{"id":1,"id":"x"}')).toEqual([new Map()]);
		expect(keysOf('{"id":90071992547409931,"id":"x"}')).toEqual(['id:"x"']);
	});
});

describe('eventTimeOf', () => {
	it('reads the timestamp field as Unix seconds, milliseconds or ISO 8601 with a zone', () => {
		const ms = Date.UTC(2026, 0, 1, 12, 0, 0);
		expect(eventTimeOf({ timestamp: ms / 1000 })).toBe(ms);
		expect(eventTimeOf({ timestamp: ms })).toBe(ms);
		expect(eventTimeOf({ timestamp: '2026-01-01T12:00:00Z' })).toBe(ms);
		expect(eventTimeOf({ timestamp: String(ms / 1000) })).toBe(ms);
	});

	it('is undefined when absent or unreadable, or without a zone', () => {
		expect(eventTimeOf({})).toBeUndefined();
		expect(eventTimeOf({ timestamp: 'yesterday' })).toBeUndefined();
		expect(eventTimeOf({ timestamp: '2026-01-01T12:00:00' })).toBeUndefined();
		expect(eventTimeOf({ timestamp: -1 })).toBeUndefined();
		expect(eventTimeOf({ attributes: { timestamp: 1 } })).toBeUndefined();
	});
});

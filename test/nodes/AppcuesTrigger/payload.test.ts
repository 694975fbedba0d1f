import { describe, expect, it } from 'vitest';

import {
	contentTypeProblem,
	eventIdOf,
	eventNameOf,
	eventsFromJson,
	eventsFromRawBody,
	experienceIdsOf,
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

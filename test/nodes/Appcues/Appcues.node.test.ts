/**
 * What the n8n editor shows of the Appcues node: the canvas subtitle, n8n's injected "Custom API
 * Call", the resource names and the Options collection. (test/ui checks the same in a browser.)
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { Appcues, CUSTOM_API_CALL } from '../../../nodes/Appcues/Appcues.node';
import { optionsField } from '../../../nodes/Appcues/actions/options';
import { resources } from '../../../nodes/Appcues/actions/router';
import { SET_ONCE } from '../../../nodes/Appcues/helpers/descriptions';
import { AppcuesTrigger } from '../../../nodes/AppcuesTrigger/AppcuesTrigger.node';
import { useFakeAppcues } from '../../support/helpers';

const description = new Appcues().description;

/** Evaluates the subtitle as the canvas does: one JavaScript expression over the raw `$parameter` values. */
function subtitle(parameters: Record<string, string>): string {
	const expression = /^=\{\{(.*)\}\}$/s.exec(description.subtitle ?? '')?.[1];
	if (!expression) throw new Error(`subtitle is not a single expression: ${description.subtitle}`);
	return new Function('$parameter', `return ${expression};`)(parameters) as string;
}

describe('canvas subtitle', () => {
	it('shows the readable operation and resource', () => {
		expect(subtitle({ resource: 'user', operation: 'updateProfile' })).toBe('Update Profile: User');
		expect(subtitle({ resource: 'tag', operation: 'getAll' })).toBe('Get Many: Tag');
		expect(subtitle({ resource: 'analytics', operation: 'query' })).toBe('Query: Analytics');
		expect(subtitle({ resource: 'import', operation: 'profiles' })).toBe(
			'Import User Profiles: Import',
		);
	});

	it('names every operation of every resource', () => {
		const resourceField = description.properties.find((p) => p.name === 'resource')!;
		for (const resource of resourceField.options as Array<{ name: string; value: string }>) {
			const operationField = resources[resource.value].description.find(
				(p) => p.name === 'operation',
			) as INodeProperties;
			for (const operation of operationField.options as Array<{ name: string; value: string }>) {
				expect(subtitle({ resource: resource.value, operation: operation.value })).toBe(
					`${operation.name}: ${resource.name}`,
				);
			}
		}
	});

	it('keeps the raw value of an operation it does not know, so n8n blanks a Custom API Call subtitle', () => {
		expect(subtitle({ resource: 'tag', operation: CUSTOM_API_CALL })).toContain(CUSTOM_API_CALL);
	});
});

describe('names the editor shows', () => {
	it('lists the resource as "Analytics", as the README does', () => {
		const resourceField = description.properties.find((p) => p.name === 'resource')!;
		expect((resourceField.options as Array<{ name: string }>).map((o) => o.name)).toContain(
			'Analytics',
		);
	});

	it('uses "Add option" on both nodes, and whole seconds for the request timeout and retry wait', () => {
		const triggerOptions = new AppcuesTrigger().description.properties.find(
			(p) => p.name === 'options',
		);
		expect(optionsField.placeholder).toBe('Add option');
		expect(triggerOptions?.placeholder).toBe('Add option');
		const option = (name: string) =>
			optionsField.options!.find((o) => 'name' in o && o.name === name) as INodeProperties;
		expect(option('timeoutSeconds').typeOptions?.numberPrecision).toBe(0);
		expect(option('maxRetryWaitSeconds').typeOptions?.numberPrecision).toBe(0);
	});
});

describe('Custom API Call (added by n8n to the resource and operation lists)', () => {
	const t = useFakeAppcues();

	it.each([{ resource: 'tag', operation: CUSTOM_API_CALL }, { resource: CUSTOM_API_CALL }])(
		'explains how to make the call with the HTTP Request node and sends nothing (%o)',
		async (parameters) => {
			const result = await t.run(parameters);
			expect(result.error?.message).toBe('Custom API calls are made with the HTTP Request node');
			expect(result.error?.description).toContain('"Predefined Credential Type"');
			expect(result.error?.description).toContain('"Appcues API"');
			expect(t.fake.apiRequests()).toEqual([]);
		},
	);
});

const properties = new Appcues().description.properties;
const valuesOf = (options: unknown) =>
	((options ?? []) as INodePropertyOptions[]).map((option) => String(option.value));

/** Operation values the UI offers for a resource (every `operation` field shown for it). */
function offeredOperations(resource: string): string[] {
	return properties
		.filter(
			(field) =>
				field.name === 'operation' &&
				(field.displayOptions?.show?.resource ?? []).includes(resource),
		)
		.flatMap((field) => valuesOf(field.options))
		.sort();
}

describe('the resources and operations the UI offers are the ones the router implements', () => {
	it('every resource in the Resource list has an implementation, and the reverse', () => {
		const resourceField = properties.find((field) => field.name === 'resource');
		expect(valuesOf(resourceField?.options).sort()).toEqual(Object.keys(resources).sort());
	});

	it.each(Object.keys(resources))(
		'%s: every operation offered is implemented, and every implemented one is offered',
		(resource) => {
			const offered = offeredOperations(resource);
			expect(offered.length).toBeGreaterThan(0);
			expect(offered).toEqual(Object.keys(resources[resource].operations).sort());
		},
	);
});

describe('batch operations say which fields are read once, with the first input item', () => {
	const fieldsOf = (resource: string, operation: string) =>
		resources[resource].operations[operation].description;
	const wait = ['waitForCompletion', 'waitTimeoutMinutes'];
	it.each([
		['import', 'profiles', ['source', 'idField', 'propertiesToSend', 'propertyFields', ...wait]],
		[
			'import',
			'events',
			[
				'source',
				'idField',
				'eventNameField',
				'timestampField',
				'propertiesToSend',
				'propertyFields',
				...wait,
			],
		],
		['segment', 'addUsers', ['source', 'combineItems', ...wait]],
		['segment', 'removeUsers', ['source', 'combineItems', ...wait]],
		['user', 'gdprDelete', ['idSeparator', 'dryRun']],
	])('%s > %s', (resource, operation, readOnce) => {
		for (const field of fieldsOf(resource, operation)) {
			const saysSo = field.description?.endsWith(SET_ONCE) ?? false;
			expect(saysSo, field.name).toBe(readOnce.includes(field.name));
		}
	});
});

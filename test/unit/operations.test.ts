import type { INodePropertyOptions } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { Appcues } from '../../nodes/Appcues/Appcues.node';
import { resources } from '../../nodes/Appcues/actions/router';

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

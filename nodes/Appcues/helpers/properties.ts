import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { jsonObject, optionalText, readChoice } from './input';
import { itemError } from './errors';
import { readItemFields, readItemText } from './itemField';

/**
 * UI for a flat set of profile properties: key/value pairs or one JSON object. `prefix` keeps
 * parameter names unique when a form has two such sets.
 */
export function propertiesFields(label: string, description: string): INodeProperties[] {
	return [
		{
			displayName: `${label} Input`,
			name: 'propertiesInput',
			type: 'options',
			options: [
				{ name: 'Key/Value Pairs', value: 'fields' },
				{ name: 'JSON', value: 'json' },
			],
			default: 'fields',
			description: `How to give the ${label.toLowerCase()}`,
		},
		{
			displayName: label,
			name: 'properties',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Property',
			default: {},
			description,
			displayOptions: { show: { propertiesInput: ['fields'] } },
			options: [
				{
					displayName: 'Property',
					name: 'property',
					values: [
						{
							displayName: 'Name',
							name: 'name',
							type: 'string',
							default: '',
							placeholder: 'e.g. plan',
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							placeholder: 'e.g. pro',
							description:
								'Text as typed; an expression keeps its type, ' +
								'so {{ 5 }} is sent as a number and {{ true }} as a boolean',
						},
					],
				},
			],
		},
		{
			displayName: `${label} (JSON)`,
			name: 'propertiesJson',
			type: 'json',
			default: '{}',
			description: `${description}, as one JSON object. Values keep their JSON types.`,
			displayOptions: { show: { propertiesInput: ['json'] } },
		},
	];
}

/**
 * The properties of a profile update: at least one, since Appcues refuses an update without any
 * (and n8n sends an empty object as no body at all), so the item fails before anything is sent.
 */
export function readProfileUpdate(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const properties = readProperties.call(this, itemIndex, 'Properties');
	if (Object.keys(properties).length) return properties;
	throw itemError(this.getNode(), 'Properties is empty', {
		description:
			'Set at least one property to update, or check that the expression gives an object with ' +
			'properties for this item. Nothing was sent.',
		itemIndex,
	});
}

/** Reads the properties defined by `propertiesFields` for one item. */
export function readProperties(
	this: IExecuteFunctions,
	itemIndex: number,
	label: string,
): IDataObject {
	const mode = readChoice.call(
		this,
		'propertiesInput',
		`${label} Input`,
		itemIndex,
		['fields', 'json'],
		'fields',
	);
	if (mode === 'json') {
		return jsonObject.call(this, readItemText(this, 'propertiesJson', itemIndex), label, itemIndex);
	}
	// Each row's name and value on its own, so `{{ $json.plan }}` in a row is read cheaply.
	const pairs = readItemFields(this, 'properties.property', itemIndex, []) as Array<{
		name?: unknown;
		value?: unknown;
	}>;
	const properties: IDataObject = {};
	for (const [position, pair] of pairs.entries()) {
		const name = optionalText.call(
			this,
			pair.name,
			`${label}: name of property ${position + 1}`,
			itemIndex,
		);
		if (!name) {
			throw itemError(this.getNode(), `${label}: property ${position + 1} has no name`, {
				description: 'Give every property a name, or remove the empty row.',
				itemIndex,
			});
		}
		properties[name] = pair.value as IDataObject[string];
	}
	return properties;
}

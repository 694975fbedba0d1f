import type { FieldType, IDataObject, ResourceMapperField } from 'n8n-workflow';

/** The part of a tool's JSON Schema (`inputSchema`) that fields are built from. */
interface PropertySchema {
	type?: string | string[];
	title?: string;
	enum?: unknown[];
}

function properties(schema: IDataObject | undefined): Record<string, PropertySchema> {
	const value = schema?.properties;
	return value && typeof value === 'object' && !Array.isArray(value)
		? (value as Record<string, PropertySchema>)
		: {};
}

/** The argument names the schema requires, as listed in its `required`. */
export function requiredArguments(schema: IDataObject | undefined): string[] {
	const required = schema?.required;
	return Array.isArray(required)
		? required.filter((name): name is string => typeof name === 'string')
		: [];
}

function fieldType(property: PropertySchema): FieldType {
	const types = Array.isArray(property.type) ? property.type : [property.type];
	const type = types.find((candidate) => candidate && candidate !== 'null');
	if (type === 'integer' || type === 'number') return 'number';
	if (type === 'boolean' || type === 'array' || type === 'object') return type;
	// Strings, and anything the schema leaves open, are sent as typed.
	return 'string';
}

/**
 * One resource mapper field per argument of the tool's input schema: its type (enums become a
 * list of their values) and whether it is required. A schema that is not an object of
 * properties gives no fields (the JSON input mode still works).
 */
export function argumentFields(schema: IDataObject | undefined): ResourceMapperField[] {
	const required = requiredArguments(schema);
	return Object.entries(properties(schema)).map(([id, property]) => {
		const field: ResourceMapperField = {
			id,
			displayName: typeof property?.title === 'string' && property.title ? property.title : id,
			required: required.includes(id),
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: fieldType(property ?? {}),
		};
		if (Array.isArray(property?.enum) && property.enum.every((v) => typeof v === 'string')) {
			field.type = 'options';
			field.options = (property.enum as string[]).map((value) => ({ name: value, value }));
		}
		return field;
	});
}

/** Whether a value counts as not given: nothing, or empty text. */
export function isMissing(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && !value.trim());
}

/** The required arguments `args` lacks, in the schema's order. */
export function missingArguments(required: string[], args: IDataObject): string[] {
	return required.filter((name) => isMissing(args[name]));
}

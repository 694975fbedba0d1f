/**
 * A yes/no value as a field or an expression gives it: a boolean, or the text "true" or "false"
 * (any case, trimmed), as data read from a CSV file or a sheet holds it. Anything else gives
 * undefined: the text "false" is never taken as a (truthy) yes.
 */
export function booleanValue(value: unknown): boolean | undefined {
	if (typeof value === 'boolean') return value;
	if (typeof value !== 'string') return undefined;
	const text = value.trim().toLowerCase();
	return text === 'true' ? true : text === 'false' ? false : undefined;
}

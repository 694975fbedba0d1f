/**
 * Every path segment that comes from user input goes through `encodeSegment`, so an id such as
 * `a/b`, `../x`, `50%`, `#1` or `ü` stays one segment and reaches the resource it names.
 */
export class UnsafePathSegmentError extends Error {
	constructor(readonly value: string) {
		super(
			value === ''
				? 'An id used in the request path is empty'
				: `The id "${value}" cannot be used in a URL path: "." and ".." are path navigation, not ids`,
		);
	}
}

/**
 * URL parsers resolve "." and ".." (even percent-encoded) as navigation, so no encoding can make
 * them address a resource; an empty segment addresses none either.
 */
export function isUnsafeSegment(text: string): boolean {
	return text === '' || text === '.' || text === '..';
}

export function encodeSegment(value: string | number): string {
	const text = String(value);
	if (isUnsafeSegment(text)) throw new UnsafePathSegmentError(text);
	return encodeURIComponent(text);
}

/**
 * Tagged template for API paths: literal parts are kept, every interpolated value is encoded as
 * one segment. `path`/users/${userId}/profile`` → `/users/a%2Fb/profile`.
 */
export function path(strings: TemplateStringsArray, ...values: Array<string | number>): string {
	return strings.reduce(
		(result, literal, index) =>
			result + literal + (index < values.length ? encodeSegment(values[index]) : ''),
		'',
	);
}

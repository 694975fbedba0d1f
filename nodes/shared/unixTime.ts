/**
 * Unix time given as a number may be seconds or milliseconds: 1e11 seconds is the year 5138 and
 * 1e11 milliseconds is 1973. Shared by the Appcues node (user input) and the trigger (the
 * X-Apc-Timestamp header).
 */
export const MILLISECONDS_FROM = 1e11;

/**
 * From here up to MILLISECONDS_FROM a number is a time either way: seconds after 2286, or
 * milliseconds of 1970 to 1973. User input there is refused rather than guessed.
 */
export const AMBIGUOUS_FROM = 1e10;

export function unixTimeToMs(value: number): number {
	return value < MILLISECONDS_FROM ? value * 1000 : value;
}

/**
 * Latest time accepted as input: the end of the year 9999,
 * the last one ISO 8601 writes in four digits.
 */
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Whether `ms` is a time from 1970 to 9999. Outside it a time is a mistake (and `toISOString`
 * throws a bare RangeError beyond about the year 275760).
 */
export function isPlausibleTimeMs(ms: number): boolean {
	return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_TIME_MS;
}

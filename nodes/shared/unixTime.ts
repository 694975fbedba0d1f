/**
 * Unix time given as a number may be seconds or milliseconds: 1e11 seconds is the year 5138 and
 * 1e11 milliseconds is 1973, so every plausible time is unambiguous. Shared by the Appcues node
 * (user input) and the trigger (the X-Apc-Timestamp header).
 */
export const MILLISECONDS_FROM = 1e11;

export function unixTimeToMs(value: number): number {
	return value < MILLISECONDS_FROM ? value * 1000 : value;
}

import { unixTimeToMs } from '../shared/unixTime';

/** Digits, optionally with a fraction: Unix seconds or milliseconds. */
const UNIX_TIME = /^\d{1,16}(\.\d+)?$/;

/** ISO 8601 date and time with an explicit zone; without one the instant would depend on the server. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Reads X-Apc-Timestamp as Unix seconds, Unix milliseconds or ISO 8601; anything else is undefined. */
export function parseTimestamp(value: string): number | undefined {
	const text = value.trim();
	if (UNIX_TIME.test(text)) {
		const number = Number(text);
		return Math.round(unixTimeToMs(number));
	}
	if (ISO_8601.test(text)) {
		const ms = Date.parse(text);
		return Number.isNaN(ms) ? undefined : ms;
	}
	return undefined;
}

/**
 * Whether the timestamp is within the tolerance of now, in either direction (clocks drift both
 * ways). A tolerance of 0 turns the check off.
 */
export function isWithinReplayWindow(
	timestampMs: number,
	nowMs: number,
	toleranceSeconds: number,
): boolean {
	if (toleranceSeconds <= 0) return true;
	return Math.abs(nowMs - timestampMs) <= toleranceSeconds * 1000;
}

import { readIsoTime } from '../shared/isoTime';
import { unixTimeToMs } from '../shared/unixTime';

/** Digits, optionally with a fraction: Unix seconds or milliseconds. */
const UNIX_TIME = /^\d{1,16}(\.\d+)?$/;

/**
 * Reads X-Apc-Timestamp as Unix seconds, Unix milliseconds or an ISO 8601 date and time with a
 * zone (without one the instant would depend on the server); anything else is undefined.
 */
export function parseTimestamp(value: string): number | undefined {
	const text = value.trim();
	if (UNIX_TIME.test(text)) {
		const number = Number(text);
		return Math.round(unixTimeToMs(number));
	}
	const iso = readIsoTime(text);
	return iso?.kind === 'instant' ? iso.ms : undefined;
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

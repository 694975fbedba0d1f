/**
 * ISO 8601 text as both nodes read it: a date, or a date and a time ("T" or a space between),
 * with seconds and a fraction optional, and an optional zone: Z, or an offset +HH:MM or +HHMM.
 */
const ISO_8601 =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export type IsoTime =
	/** A date and time with a zone: one instant, wherever it is read. */
	| { kind: 'instant'; ms: number }
	/**
	 * No zone: a wall-clock time whose instant depends on where it is read. `wallMs` is that wall
	 * clock read as UTC; `hasTime` is false for a date alone.
	 */
	| { kind: 'local'; wallMs: number; hasTime: boolean }
	/** ISO 8601 in form, but no such date or time (2026-02-30, 24:00, 10:60, offset +25:00). */
	| { kind: 'impossible' };

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Reads ISO 8601 text; undefined when it is not ISO 8601 at all. Each part must be in its range
 * (JavaScript's Date would read 2026-02-30 as 2 March and a zone-less time in the server's zone),
 * so a date is accepted only when it reads back the same.
 */
export function readIsoTime(text: string): IsoTime | undefined {
	const match = ISO_8601.exec(text.trim());
	if (!match) return undefined;
	const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
	const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
	const lastDay = month === 2 && !isLeapYear(year) ? 28 : DAYS_IN_MONTH[month - 1];
	if (
		month < 1 ||
		month > 12 ||
		day < 1 ||
		day > lastDay ||
		hour > 23 ||
		minute > 59 ||
		second > 59
	) {
		return { kind: 'impossible' };
	}
	const wall = new Date(0);
	// setUTCFullYear, not Date.UTC: Date.UTC reads the years 0 to 99 as 1900 to 1999.
	wall.setUTCFullYear(year, month - 1, day);
	wall.setUTCHours(hour, minute, second, fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0);
	const wallMs = wall.getTime();
	if (zone === undefined) return { kind: 'local', wallMs, hasTime: match[4] !== undefined };
	if (/^z$/i.test(zone)) return { kind: 'instant', ms: wallMs };
	const [, sign, offsetHours, offsetMinutes] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
	if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return { kind: 'impossible' };
	const offsetMs = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
	return { kind: 'instant', ms: wallMs - (sign === '-' ? -offsetMs : offsetMs) };
}

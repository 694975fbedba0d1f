/** One remembered delivery: the event id and when it was accepted (Unix ms). */
export type SeenEvent = [id: string, acceptedAtMs: number];

/** Static data is saved with the workflow, so the list must stay small. */
export const MAX_SEEN_EVENTS = 1000;

export const SEEN_EVENTS_KEY = 'seenEventIds';

/**
 * Reads the remembered ids from static data, dropping anything malformed (the data outlives code
 * versions) and anything older than the retention; a retention of 0 keeps ids until newer ones push
 * them out.
 */
export function loadSeenEvents(stored: unknown, nowMs: number, retentionMs: number): SeenEvent[] {
	if (!Array.isArray(stored)) return [];
	const seen = stored.filter(
		(entry): entry is SeenEvent =>
			Array.isArray(entry) &&
			entry.length === 2 &&
			typeof entry[0] === 'string' &&
			typeof entry[1] === 'number' &&
			(retentionMs <= 0 || nowMs - entry[1] <= retentionMs),
	);
	return seen.slice(-MAX_SEEN_EVENTS);
}

export function hasSeen(seen: SeenEvent[], id: string): boolean {
	return seen.some(([seenId]) => seenId === id);
}

/** Appends the ids, oldest first, and keeps only the newest MAX_SEEN_EVENTS. */
export function rememberEvents(seen: SeenEvent[], ids: string[], nowMs: number): SeenEvent[] {
	const added: SeenEvent[] = ids.map((id) => [id, nowMs]);
	return [...seen, ...added].slice(-MAX_SEEN_EVENTS);
}

import type { IDataObject } from 'n8n-workflow';

import { eventNameOf, experienceIdsOf } from './payload';

export interface EventFilter {
	/** Normalised event names; empty means every event. */
	names: Set<string>;
	/** Flow/experience ids; empty means every experience. */
	experienceIds: Set<string>;
}

/**
 * Names are compared without case and without the `appcues:` prefix, since it is not known whether
 * webhook payloads carry the prefixed analytics name (`appcues:flow_started`) or the bare one.
 */
export function normaliseEventName(name: string): string {
	return name
		.trim()
		.toLowerCase()
		.replace(/^appcues:/, '');
}

/** Splits a comma- or newline-separated list, dropping blanks. */
export function splitList(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return value
		.split(/[,\n]/)
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

export function buildFilter(
	selectedEvents: unknown,
	customEvents: unknown,
	experienceIds: unknown,
): EventFilter {
	const selected = Array.isArray(selectedEvents)
		? selectedEvents.filter((name): name is string => typeof name === 'string')
		: [];
	return {
		names: new Set([...selected, ...splitList(customEvents)].map(normaliseEventName)),
		experienceIds: new Set(splitList(experienceIds)),
	};
}

/** An event without a name (or id) cannot match a filter on names (or ids). */
export function passesFilter(event: IDataObject, filter: EventFilter): boolean {
	if (filter.names.size) {
		const name = eventNameOf(event);
		if (name === undefined || !filter.names.has(normaliseEventName(name))) return false;
	}
	if (filter.experienceIds.size) {
		if (!experienceIdsOf(event).some((id) => filter.experienceIds.has(id))) return false;
	}
	return true;
}

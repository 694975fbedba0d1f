/** Figures for the benchmark reports: medians and number formats. */
import { availableParallelism, loadavg } from 'node:os';

/** The median of the finite values; NaN when there is none. */
export function median(values: number[]): number {
	const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (!sorted.length) return NaN;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fmt = (value: number, digits = 0) =>
	Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
export const seconds = (ms: number) =>
	Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a';

/** The machine's load over the run: a busy shared machine explains slow figures. */
export function loadNote(loadAtStart: number): string {
	return `load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end on ${availableParallelism()} cores`;
}

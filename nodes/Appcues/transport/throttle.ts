import { sleep } from 'n8n-workflow';

/**
 * Spaces requests evenly at a given rate. One instance is shared by every request of one node
 * execution, whatever the concurrency, so the account-wide limit (60/s) is respected as a whole.
 */
export class Throttle {
	private nextSlotAt = 0;

	constructor(
		private readonly requestsPerSecond: number,
		private readonly now: () => number = Date.now,
		private readonly wait: (ms: number) => Promise<void> = sleep,
	) {}

	async acquire(): Promise<void> {
		if (!(this.requestsPerSecond > 0)) return;
		const interval = 1000 / this.requestsPerSecond;
		const now = this.now();
		const slot = Math.max(now, this.nextSlotAt);
		this.nextSlotAt = slot + interval;
		if (slot > now) await this.wait(slot - now);
	}
}

import { describe, expect, it } from 'vitest';

import { mostWithin, mulberry32 } from '../../../../bench/lib/simulate';
import { Pacer, type Slot, WINDOW_MARGIN_MS } from '../../../../nodes/Appcues/transport/pacer';

/** A clock that only moves when the pacer waits, by the wait plus `late(ms)` (a late timer). */
function clocked(late: () => number = () => 0) {
	const clock = { now: 0 };
	const wait = async (ms: number) => {
		clock.now += ms + late();
	};
	return { clock, now: () => clock.now, wait };
}

describe('pacer: the one-second rule', () => {
	it('at 60/s from idle: 60 requests in the first second at most, then an even pace', async () => {
		const { now, wait } = clocked();
		const pacer = new Pacer(60, now, wait);
		const slots: number[] = [];
		for (let n = 0; n < 300; n++) slots.push((await pacer.acquire()).at);
		expect(mostWithin(slots, 1000)).toBe(60);
		// The first slots may go at once (catch-up allowance), never more than a sixth of a second's.
		expect(slots.filter((slot) => slot === 0)).toHaveLength(11);
		// 300 requests: five windows of 60, each a little over a second (the margin).
		expect(slots.at(-1)).toBeGreaterThanOrEqual(4 * (1000 + WINDOW_MARGIN_MS));
		expect(slots.at(-1)).toBeLessThan(5000);
	});

	it('a node busy for a while after its first request makes up missed slots, never above the limit', async () => {
		for (const limit of [60, 6]) {
			const { clock, now, wait } = clocked();
			const pacer = new Pacer(limit, now, wait);
			const slots = [(await pacer.acquire()).at];
			clock.now += 300;
			for (let n = 0; n < 3 * limit; n++) slots.push((await pacer.acquire()).at);
			expect(mostWithin(slots, 1000)).toBe(limit);
		}
	});

	it('holds for a node limit of 6/s, and for fractions (2.5/s: never 3 in a second)', async () => {
		for (const [limit, most] of [
			[6, 6],
			[2.5, 2],
			[0.5, 1],
		]) {
			const { now, wait } = clocked();
			const pacer = new Pacer(limit, now, wait);
			const slots: number[] = [];
			for (let n = 0; n < 40; n++) slots.push((await pacer.acquire()).at);
			expect(mostWithin(slots, 1000)).toBe(most);
		}
		// Below 1/s the spacing is the rate's: 0.5/s is one request every two seconds.
		const { now, wait } = clocked();
		const slow = new Pacer(0.5, now, wait);
		const slots = [(await slow.acquire()).at, (await slow.acquire()).at, (await slow.acquire()).at];
		expect(slots[2] - slots[1]).toBeGreaterThanOrEqual(2000);
	});

	it('holds whatever the callers do: bursts, idle gaps, rate changes, late timers', async () => {
		for (const seed of [1, 2, 3, 4, 5]) {
			const random = mulberry32(seed);
			const { clock, now, wait } = clocked(() => (random() < 0.2 ? random() * 40 : 0));
			const pacer = new Pacer(60, now, wait);
			const slots: number[] = [];
			for (let round = 0; round < 40; round++) {
				if (random() < 0.3) clock.now += random() * 2000;
				if (random() < 0.3) pacer.setRate(1 + random() * 80);
				const burst = Math.floor(random() * 50);
				const got = await Promise.all(Array.from({ length: burst }, () => pacer.acquire()));
				slots.push(...got.map((slot) => slot.at));
			}
			expect(slots.length).toBeGreaterThan(500);
			expect(mostWithin(slots, 1000 + WINDOW_MARGIN_MS)).toBeLessThanOrEqual(60);
		}
	});

	it('counts a request held up on its way (a longer round trip) where it reached Appcues', async () => {
		for (const seed of [1, 2, 3]) {
			const random = mulberry32(seed);
			const { clock, now, wait } = clocked();
			const pacer = new Pacer(60, now, wait);
			const arrivals: number[] = [];
			const pending: Array<{ answerAt: number; slot: Slot }> = [];
			for (let n = 0; n < 400; n++) {
				const slot = await pacer.acquire();
				// A new connection or a busy process holds some requests up by up to 200 ms.
				const heldUp = random() < 0.2 ? random() * 200 : 0;
				arrivals.push(slot.at + heldUp);
				pending.push({ answerAt: slot.at + heldUp + 100, slot });
				pending.sort((a, b) => a.answerAt - b.answerAt);
				while (pending.length && pending[0].answerAt <= clock.now) {
					const answer = pending.shift()!;
					pacer.settle(answer.slot, answer.answerAt);
				}
			}
			arrivals.sort((a, b) => a - b);
			expect(mostWithin(arrivals, 1000)).toBeLessThanOrEqual(60);
		}
	});

	it('gives slots in the order they were asked for, each at the time it returns', async () => {
		const { now, wait } = clocked(() => 3);
		const pacer = new Pacer(10, now, wait);
		const order: number[] = [];
		const slots = await Promise.all(
			Array.from({ length: 20 }, (_, n) =>
				pacer.acquire().then((slot) => {
					order.push(n);
					return slot.at;
				}),
			),
		);
		expect(order).toEqual(Array.from({ length: 20 }, (_, n) => n));
		expect([...slots].sort((a, b) => a - b)).toEqual(slots);
	});

	it('a lower limit (from rate-limit headers) holds in every window from then on', async () => {
		const { now, wait } = clocked();
		const pacer = new Pacer(60, now, wait);
		for (let n = 0; n < 30; n++) await pacer.acquire();
		pacer.setLimit(10);
		const slots: number[] = [];
		for (let n = 0; n < 50; n++) slots.push((await pacer.acquire()).at);
		expect(mostWithin(slots, 1000)).toBe(10);
	});

	it('spaces requests by the current rate, and lets none go before a hold', async () => {
		const { clock, now, wait } = clocked();
		const pacer = new Pacer(60, now, wait);
		for (let n = 0; n < 20; n++) await pacer.acquire();
		pacer.setRate(10);
		const a = (await pacer.acquire()).at;
		const b = (await pacer.acquire()).at;
		expect(b - a).toBeGreaterThanOrEqual(100);
		pacer.holdUntil(clock.now + 5000);
		expect((await pacer.acquire()).at).toBeGreaterThanOrEqual(b + 5000);
		// Never above its limit, whatever it is asked.
		pacer.setRate(500);
		expect(pacer.currentRate).toBe(60);
	});
});

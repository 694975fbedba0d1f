/**
 * Injected faults: request faults (a status such as 429 or 503, a dropped connection before or
 * after the route applied the request, extra latency, an answer whose body or whole head trickles
 * in) and planned job outcomes (the next jobs fail or never finish). The server core asks for the
 * fault of each request and the outcome of each job it creates.
 */
import type { ServerResponse } from 'node:http';

import { problemBody } from './problem';

export type FaultKind =
	'status' | 'drop' | 'drop-after-apply' | 'latency' | 'trickle' | 'trickle-head';

export interface Fault {
	kind: FaultKind;
	/** Status to answer for kind "status" (429, 500, 502, 503, 504 …). */
	status?: number;
	/** Header value for Retry-After, when the fault should send one. */
	retryAfter?: string;
	/**
	 * Extra delay for kind "latency"; for kind "trickle" (the request is applied, then its body is
	 * sent one byte at a time) and "trickle-head" (the same for the whole answer, from its status
	 * line on), the pause between bytes.
	 */
	delayMs?: number;
	/** How many matching requests the fault applies to; Infinity for always. */
	times?: number;
	/** Probability (0..1) that a matching request is hit; 1 by default. */
	probability?: number;
	method?: string;
	/** Applies when the decoded path contains this text. */
	pathIncludes?: string;
	/** How many matching requests pass untouched before the fault applies (0 by default). */
	skip?: number;
	/** Body to send with a status fault; an Appcues-style error body by default. */
	body?: string;
}

export class RequestFaults {
	private readonly faults: Array<Fault & { used: number; skipped: number }> = [];

	add(fault: Fault) {
		this.faults.push({ times: 1, probability: 1, ...fault, used: 0, skipped: 0 });
	}

	clear() {
		this.faults.length = 0;
	}

	/** The first fault matching the request that has uses left (and is drawn); it uses it up. */
	take(method: string, decodedPath: string): Fault | undefined {
		for (const fault of this.faults) {
			if ((fault.times ?? 1) <= fault.used) continue;
			if (fault.method && fault.method !== method) continue;
			if (fault.pathIncludes && !decodedPath.includes(fault.pathIncludes)) continue;
			if ((fault.probability ?? 1) < 1 && Math.random() >= (fault.probability ?? 1)) continue;
			if (fault.skipped < (fault.skip ?? 0)) {
				fault.skipped++;
				continue;
			}
			fault.used++;
			return fault;
		}
		return undefined;
	}
}

/** The answer of a status fault: its status, its body and its Retry-After, if any. */
export function statusFaultResponse(fault: Fault) {
	const status = fault.status ?? 503;
	const headers: Record<string, string> =
		fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {};
	return { status, body: fault.body ?? problemBody(status, 'injected fault'), headers };
}

export type JobOutcome = { outcome: 'ok' | 'fail' | 'stall'; reason?: string };

/** Planned outcomes of the next jobs any route creates; jobs not planned succeed. */
export class JobPlan {
	private readonly plan: Array<{ outcome: 'fail' | 'stall'; reason?: string; left: number }> = [];

	failNext(count: number, reason?: string) {
		this.plan.push({ outcome: 'fail', reason, left: count });
	}

	stallNext(count: number) {
		this.plan.push({ outcome: 'stall', left: count });
	}

	clear() {
		this.plan.length = 0;
	}

	/** The outcome of the next job (consumes the plan). */
	take(): JobOutcome {
		const next = this.plan[0];
		if (!next) return { outcome: 'ok' };
		if (--next.left <= 0) this.plan.shift();
		return { outcome: next.outcome, reason: next.reason };
	}
}

export function delay(ms: number) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes the body one byte every `pauseMs`, until it is all sent or the client hangs up. With
 * `head`, the status line and headers go out that way too, straight onto the connection.
 */
export async function trickle(
	res: ServerResponse,
	body: Buffer,
	pauseMs: number,
	head?: { status: number; headers: Record<string, string> },
) {
	const out: { destroyed: boolean; write(bytes: Buffer): unknown; end(): unknown } = head
		? res.socket!
		: res;
	const bytes = head
		? Buffer.concat([
				Buffer.from(
					[
						`HTTP/1.1 ${head.status} Answer`,
						...Object.entries(head.headers).map(([name, value]) => `${name}: ${value}`),
						`Content-Length: ${body.length}`,
						'Connection: close',
						'',
						'',
					].join('\r\n'),
				),
				body,
			])
		: body;
	for (const byte of bytes) {
		if (out.destroyed) return;
		out.write(Buffer.of(byte));
		await delay(pauseMs);
	}
	out.end();
}

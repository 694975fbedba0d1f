/**
 * The workload of the n8n throughput benchmarks: a workflow that updates the profiles of `items`
 * users one request each, and what the fake recorded of it (PATCHes, 429s, users written never
 * or more than once).
 */
import { NODE_TYPE } from '../../test/e2e/lib/appcues';
import type { WorkflowJson, WorkflowNode } from '../../test/e2e/lib/n8n';
import type { RecordedRequestLite } from './fake-process';

/** The name of the node that sends the updates (the run data is read under this name). */
export const TARGET_NODE = 'Update';

export const PROPERTIES_EXPRESSION =
	'={{ JSON.stringify({ plan: $json.plan, run: $execution.id }) }}';

/** The ids of the users a workflow built with `userPrefix` updates, in order. */
export function benchUserIds(userPrefix: string, items: number): string[] {
	return Array.from(
		{ length: items },
		(_, i) => `${userPrefix}-user-${String(i).padStart(4, '0')}`,
	);
}

/** The node that sends the updates, without its id, name and place (and any node settings). */
export type TargetNode = Pick<WorkflowNode, 'type' | 'typeVersion' | 'parameters' | 'credentials'> &
	Record<string, unknown>;

/** The Appcues node, user → Update Profile at its defaults, for the users of the workflow. */
export function appcuesUpdateNode(credential: { id: string; name: string }): TargetNode {
	return {
		type: NODE_TYPE,
		typeVersion: 1,
		parameters: {
			resource: 'user',
			operation: 'updateProfile',
			userId: '={{ $json.id }}',
			propertiesInput: 'json',
			propertiesJson: PROPERTIES_EXPRESSION,
			options: {},
		},
		credentials: { appcuesApi: credential },
	};
}

/**
 * Manual Trigger → Set (one array of `items` users {id, plan}) → Split Out → `target`, named
 * TARGET_NODE. Node ids start with `nodeIdPrefix` (8 hex digits).
 */
export function updateProfileWorkflow(options: {
	id: string;
	name: string;
	items: number;
	userPrefix: string;
	nodeIdPrefix: string;
	target: TargetNode;
}): WorkflowJson & { id: string } {
	const nodeId = (n: number) => `${options.nodeIdPrefix}-0000-4000-8000-00000000000${n}`;
	const users = `={{ Array.from({ length: ${options.items} }, (_, i) => ({ id: '${options.userPrefix}-user-' + String(i).padStart(4, '0'), plan: ['free', 'pro', 'enterprise'][i % 3] })) }}`;
	return {
		id: options.id,
		name: options.name,
		nodes: [
			{
				id: nodeId(1),
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: nodeId(2),
				name: 'Users',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [200, 0],
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: [{ id: 'users', name: 'users', type: 'array', value: users }],
					},
					options: {},
				},
			},
			{
				id: nodeId(3),
				name: 'Split',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [400, 0],
				parameters: { fieldToSplitOut: 'users', include: 'noOtherFields', options: {} },
			},
			{ ...options.target, id: nodeId(4), name: TARGET_NODE, position: [600, 0] },
		],
		connections: {
			Start: { main: [[{ node: 'Users', type: 'main', index: 0 }]] },
			Users: { main: [[{ node: 'Split', type: 'main', index: 0 }]] },
			Split: { main: [[{ node: TARGET_NODE, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

export interface PatchAnalysis {
	/** Profile PATCHes that reached the fake. */
	requests: number;
	/** Of those, answered 429. */
	throttled: number;
	/** Users with at least one 2xx PATCH. */
	written: number;
	/** Users with more than one 2xx PATCH. */
	writtenTwice: number;
	neverWritten: number;
	firstToLastRequestMs: number;
	maxRequestsInOneSecond: number;
	/** Most PATCHes that arrived within one latency period (what the fake held at once). */
	maxInFlight: number;
	/** Arrival span minus (requests − 1) / limit: time lost against a perfect pacing at `rate`. */
	paceLossMs: number;
	/** PATCHes per second of the run, first arrival = 0 ("ok/429" per second). */
	perSecond: string;
	firstAt: number;
	lastAt: number;
}

/** The user id of a profile PATCH on `accountId` (`PATCH /v2/accounts/:id/users/:user/profile`). */
export function profileUserId(request: RecordedRequestLite, accountId: string): string | undefined {
	const s = request.segments;
	if (request.method !== 'PATCH' || s.length !== 6) return undefined;
	if (
		s[0] !== 'v2' ||
		s[1] !== 'accounts' ||
		s[2] !== accountId ||
		s[3] !== 'users' ||
		s[5] !== 'profile'
	) {
		return undefined;
	}
	return s[4];
}

/** The most of the sorted `times` that fall within one window of `windowMs`. */
function mostWithin(times: number[], windowMs: number): number {
	let most = 0;
	for (let i = 0, j = 0; i < times.length; i++) {
		while (times[i] - times[j] >= windowMs) j++;
		most = Math.max(most, i - j + 1);
	}
	return most;
}

/** What the fake recorded: PATCHes of profiles, 429s, users written never or more than once. */
export function analyseProfilePatches(
	recorded: RecordedRequestLite[],
	expectedUserIds: string[],
	fake: { accountId: string; rate: number; latencyMs: number },
): PatchAnalysis {
	const patches = recorded.filter((r) => profileUserId(r, fake.accountId) !== undefined);
	const successes = new Map<string, number>();
	for (const request of patches) {
		if (request.status >= 200 && request.status < 300) {
			const id = profileUserId(request, fake.accountId)!;
			successes.set(id, (successes.get(id) ?? 0) + 1);
		}
	}
	const written = expectedUserIds.filter((id) => (successes.get(id) ?? 0) > 0).length;
	const times = patches.map((r) => r.at).sort((a, b) => a - b);
	const buckets: Array<{ ok: number; throttled: number }> = [];
	for (const request of patches) {
		const second = Math.floor((request.at - (times[0] ?? 0)) / 1000);
		buckets[second] ??= { ok: 0, throttled: 0 };
		if (request.status === 429) buckets[second].throttled++;
		else buckets[second].ok++;
	}
	return {
		requests: patches.length,
		throttled: patches.filter((r) => r.status === 429).length,
		written,
		writtenTwice: [...successes.values()].filter((count) => count > 1).length,
		neverWritten: expectedUserIds.length - written,
		firstToLastRequestMs: times.length ? times.at(-1)! - times[0] : 0,
		maxRequestsInOneSecond: mostWithin(times, 1000),
		maxInFlight: mostWithin(times, Math.max(1, fake.latencyMs)),
		paceLossMs:
			times.length > 1 ? times.at(-1)! - times[0] - ((times.length - 1) * 1000) / fake.rate : 0,
		perSecond: Array.from(buckets, (b) => (b ? `${b.ok}/${b.throttled}` : '0/0')).join(' '),
		firstAt: times[0] ?? NaN,
		lastAt: times.at(-1) ?? NaN,
	};
}

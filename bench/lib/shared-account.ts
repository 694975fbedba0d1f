/**
 * Pieces of the shared-account benchmark cases that run against a started n8n
 * (`n8n start`, regular mode): signed webhook deliveries to a published Appcues Trigger, the
 * executions they start (read from n8n's database), and the foreign client process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { signDelivery, TRIGGER_TYPE } from '../../test/e2e/lib/appcues';
import {
	type ExecutionRow,
	type N8nSandbox,
	repoRoot,
	type WorkflowJson,
	type WorkflowNode,
} from '../../test/e2e/lib/n8n';

export const TRIGGER_EVENT = 'appcues:nps_score';

/** Appcues Trigger → `second` (Update Profile or No Operation), published and reached over HTTP. */
export function triggerWorkflow(options: {
	id: string;
	name: string;
	webhookId: string;
	credential: { id: string; name: string };
	second: 'update' | 'noop';
}): WorkflowJson {
	const trigger: WorkflowNode = {
		id: 'c0000000-0000-4000-8000-000000000001',
		name: 'Appcues Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { events: [TRIGGER_EVENT], customEvents: '', experienceIds: '', options: {} },
		credentials: { appcuesApi: options.credential },
		webhookId: options.webhookId,
	};
	const second: WorkflowNode =
		options.second === 'update'
			? {
					id: 'c0000000-0000-4000-8000-000000000002',
					name: 'Update',
					type: 'n8n-nodes-appcues.appcues',
					typeVersion: 1,
					position: [240, 0],
					parameters: {
						resource: 'user',
						operation: 'updateProfile',
						userId: '={{ $json.user_id }}',
						propertiesInput: 'json',
						propertiesJson:
							'={{ JSON.stringify({ score: $json.attributes.score, event: $json.id }) }}',
						options: {},
					},
					credentials: { appcuesApi: options.credential },
				}
			: {
					id: 'c0000000-0000-4000-8000-000000000002',
					name: 'Update',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [240, 0],
					parameters: {},
				};
	return {
		id: options.id,
		name: options.name,
		nodes: [trigger, second],
		connections: { 'Appcues Trigger': { main: [[{ node: 'Update', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

export function event(id: string, userId: string): Record<string, unknown> {
	return { id, name: TRIGGER_EVENT, user_id: userId, attributes: { score: 9 } };
}

export interface DeliveryResult {
	/** First delivery sent → last one answered, ms. */
	acceptedMs: number;
	statuses: number[];
}

/**
 * POSTs the bodies, signed at send time, `inFlight` at a time. A delivery not answered within
 * `timeoutMs` counts as status 0 (n8n may still run it: the run then shows more executions than
 * deliveries accepted).
 */
export async function deliver(
	url: string,
	secret: string,
	bodies: string[],
	inFlight: number,
	timeoutMs = 600_000,
): Promise<DeliveryResult> {
	const statuses: number[] = new Array(bodies.length);
	const t0 = Date.now();
	let next = 0;
	const worker = async () => {
		while (next < bodies.length) {
			const index = next++;
			try {
				const res = await fetch(url, {
					method: 'POST',
					headers: signDelivery(secret, bodies[index]),
					body: bodies[index],
					signal: AbortSignal.timeout(timeoutMs),
				});
				await res.arrayBuffer();
				statuses[index] = res.status;
			} catch {
				statuses[index] = 0;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(inFlight, bodies.length) }, worker));
	return { acceptedMs: Date.now() - t0, statuses };
}

/** n8n's SQLite datetimes ("2026-11-29 08:25:13.123") are UTC. */
export function dbTime(value: string | null | undefined): number {
	if (!value) return NaN;
	const iso = /^\d{4}-\d\d-\d\d \d/.test(value)
		? `${value.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'}`
		: value;
	return Date.parse(iso);
}

/**
 * Waits until `count` executions of the workflow with an id above `afterId` have finished.
 * Polls every 2 s: each poll starts a Node process, which would weigh on the run it measures.
 */
export async function waitForNewExecutions(
	n8n: N8nSandbox,
	workflowId: string,
	afterId: number,
	count: number,
	timeoutMs: number,
): Promise<{ rows: ExecutionRow[]; complete: boolean }> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const rows = (await n8n.listExecutions({ workflowId })).filter(
			(row) => Number(row.id) > afterId,
		);
		const finished = rows.filter((row) => !['new', 'running', 'waiting'].includes(row.status));
		if (finished.length >= count) return { rows: finished, complete: true };
		if (Date.now() > deadline) return { rows: finished, complete: false };
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

export async function lastExecutionId(n8n: N8nSandbox): Promise<number> {
	const rows = await n8n.queryDb<{ id: number | null }>(
		'SELECT MAX(id) AS id FROM execution_entity',
	);
	return Number(rows[0]?.id ?? 0);
}

export interface ForeignClient {
	stop(): Promise<{ ok: number; throttled: number; other: number; sent: number; seconds: number }>;
}

/** Starts bench/lib/foreign-client.ts against the account; resolves once it sends. */
export async function startForeignClient(options: {
	url: string;
	accountId: string;
	apiKey: string;
	apiSecret: string;
	rate: number;
}): Promise<ForeignClient> {
	const root = repoRoot();
	const child: ChildProcess = spawn(
		process.execPath,
		[
			join(root, 'node_modules/tsx/dist/cli.mjs'),
			join(root, 'bench/lib/foreign-client.ts'),
			'--url',
			options.url,
			'--account',
			options.accountId,
			'--key',
			options.apiKey,
			'--secret',
			options.apiSecret,
			'--rate',
			String(options.rate),
		],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	const kill = () => child.kill('SIGKILL');
	process.on('exit', kill);
	let output = '';
	child.stdout!.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	await Promise.race([
		new Promise<void>((resolve) => {
			const check = () => (output.includes('"started"') ? resolve() : setTimeout(check, 20));
			check();
		}),
		once(child, 'exit').then(() => {
			throw new Error('the foreign client exited before it started');
		}),
	]);
	return {
		stop: async () => {
			const exited = once(child, 'exit');
			child.kill('SIGTERM');
			await exited;
			process.off('exit', kill);
			const last = output.trim().split('\n').at(-1) ?? '{}';
			return JSON.parse(last) as {
				ok: number;
				throttled: number;
				other: number;
				sent: number;
				seconds: number;
			};
		},
	};
}

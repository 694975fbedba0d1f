/**
 * The cases of the throughput benchmark: what each one runs, and the workflows they run.
 *
 * `execute` cases run the 300-item Update Profile workflow with `n8n execute` (one process per
 * run); `server` cases send signed webhook deliveries to a published Appcues Trigger of a
 * started n8n (regular mode, SQLite).
 */
import type { WorkflowJson } from '../../test/e2e/lib/n8n';
import { DEFAULT_ACCOUNT } from '../../test/fake-appcues/server';
import { triggerWorkflow } from '../lib/shared-account';
import {
	appcuesUpdateNode,
	PROPERTIES_EXPRESSION,
	type TargetNode,
	updateProfileWorkflow,
} from '../lib/update-profile';

export interface ThroughputSettings {
	version: string;
	runs: number;
	items: number;
	/** The fake's limit per second and its added latency. */
	rate: number;
	latencyMs: number;
	faultProbability: number;
	foreignRate: number;
	deliveries: number;
	deliveriesInFlight: number;
	budgetMs: number;
	packageTgz?: string;
}

export type CaseId =
	| 'ours'
	| 'http-default'
	| 'http-batch'
	| 'ours-faults'
	| 'http-retry-faults'
	| 'foreign'
	| 'burst'
	| 'burst-noop'
	| 'two-executions';

export interface BenchCase {
	id: CaseId;
	label: string;
	kind: 'execute' | 'server';
	node: 'ours' | 'http' | 'noop';
	/** A share of the PATCHes is answered 429 at random (the fake's fault injection). */
	faults: boolean;
	/** A foreign client sends this many requests per second to the account during the run. */
	foreignRate?: number;
	batching?: { batchSize: number; batchInterval: number };
	retryOnFail?: { maxTries: number; waitBetweenTries: number };
}

export function allCases(settings: ThroughputSettings): BenchCase[] {
	const faults = `${Math.round(settings.faultProbability * 100)} % of requests answered 429 at random`;
	return [
		{ id: 'ours', label: 'Appcues node, defaults', kind: 'execute', node: 'ours', faults: false },
		{
			id: 'http-default',
			label: 'HTTP Request node, defaults',
			kind: 'execute',
			node: 'http',
			faults: false,
		},
		{
			id: 'http-batch',
			label: 'HTTP Request node, Batching 60 items / 1000 ms',
			kind: 'execute',
			node: 'http',
			faults: false,
			batching: { batchSize: 60, batchInterval: 1000 },
		},
		{
			id: 'ours-faults',
			label: `Appcues node, defaults, ${faults}`,
			kind: 'execute',
			node: 'ours',
			faults: true,
		},
		{
			id: 'http-retry-faults',
			label: `HTTP Request node, Retry On Fail (5 tries, 1 s), ${faults}`,
			kind: 'execute',
			node: 'http',
			faults: true,
			retryOnFail: { maxTries: 5, waitBetweenTries: 1000 },
		},
		{
			id: 'foreign',
			label: `Appcues node, defaults, a foreign client taking ${settings.foreignRate}/s`,
			kind: 'execute',
			node: 'ours',
			faults: false,
			foreignRate: settings.foreignRate,
		},
		{
			id: 'two-executions',
			label: `Two executions at once in one process, ${settings.items} items each`,
			kind: 'server',
			node: 'ours',
			faults: false,
		},
		{
			id: 'burst',
			label: `Webhook burst: ${settings.deliveries} deliveries (${settings.deliveriesInFlight} in flight) → Update Profile`,
			kind: 'server',
			node: 'ours',
			faults: false,
		},
		{
			id: 'burst-noop',
			label: "The same burst → No Operation (n8n's own pace, executions/s)",
			kind: 'server',
			node: 'noop',
			faults: false,
		},
	];
}

/** The cases named in `ids` (all when none), in the benchmark's order; throws on an unknown id. */
export function selectCases(settings: ThroughputSettings, ids?: string[]): BenchCase[] {
	const cases = allCases(settings);
	for (const id of ids ?? []) {
		if (!cases.some((c) => c.id === id))
			throw new Error(`unknown case "${id}"; cases: ${cases.map((c) => c.id).join(', ')}`);
	}
	return cases.filter((c) => !ids?.length || ids.includes(c.id));
}

export const CRED_APPCUES = { id: 'benchAppcuesCred', name: 'Appcues (bench fake)' };
export const CRED_BASIC = { id: 'benchBasicAuthCr', name: 'Basic auth (bench fake)' };
export const ACCOUNT_ID = DEFAULT_ACCOUNT.accountId;

/** Our node or n8n's HTTP Request node sending the PATCHes, with the case's node settings. */
function targetNode(benchCase: BenchCase, fakeUrl: string): TargetNode {
	const settings = benchCase.retryOnFail
		? {
				retryOnFail: true,
				maxTries: benchCase.retryOnFail.maxTries,
				waitBetweenTries: benchCase.retryOnFail.waitBetweenTries,
			}
		: {};
	if (benchCase.node === 'ours') return { ...settings, ...appcuesUpdateNode(CRED_APPCUES) };
	return {
		...settings,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'PATCH',
			url: `=${fakeUrl}/v2/accounts/${ACCOUNT_ID}/users/{{ $json.id }}/profile`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpBasicAuth',
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody: PROPERTIES_EXPRESSION,
			options: benchCase.batching ? { batching: { batch: benchCase.batching } } : {},
		},
		credentials: { httpBasicAuth: CRED_BASIC },
	};
}

/** The `n8n execute` workflow of an execute case. */
export function executeWorkflow(
	benchCase: BenchCase,
	index: number,
	fakeUrl: string,
	items: number,
): WorkflowJson & { id: string } {
	return updateProfileWorkflow({
		id: `benchThroughput${index}`.padEnd(16, '0').slice(0, 16),
		name: `Throughput bench: ${benchCase.label}`,
		items,
		userPrefix: 'bench',
		nodeIdPrefix: 'b0000000',
		target: targetNode(benchCase, fakeUrl),
	});
}

/** Server cases: Trigger → Update Profile (burst, two-executions) or Trigger → No Operation. */
export const HOOKS = {
	update: { id: 'benchTriggerUpd0', webhookId: 'b1000000-0000-4000-8000-000000000001' },
	noop: { id: 'benchTriggerNoop', webhookId: 'b1000000-0000-4000-8000-000000000002' },
} as const;

export function hookOf(benchCase: BenchCase): keyof typeof HOOKS {
	return benchCase.node === 'noop' ? 'noop' : 'update';
}

/** The published trigger workflows the server cases need. */
export function serverWorkflows(cases: BenchCase[]): WorkflowJson[] {
	const needed = new Set(cases.filter((c) => c.kind === 'server').map(hookOf));
	return [...needed].map((second) =>
		triggerWorkflow({
			...HOOKS[second],
			name: `Throughput bench: trigger → ${second}`,
			credential: CRED_APPCUES,
			second,
		}),
	);
}

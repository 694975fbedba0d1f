/**
 * The dev sandbox, step by step: what `npm run dev` (scripts/dev.ts) runs and what the browser
 * test (test/ui) starts the same way. n8n itself is driven by the e2e library (test/e2e/lib).
 *
 *   1. checkPrerequisites   what the first run needs (build tools, disk), before anything starts
 *   2. startAppcuesSandbox  the fake Appcues API with the demo data (test/fake-appcues/seed.ts),
 *                           and the scripted demo model for the AI Agent example (demo-model.ts)
 *   3. ensureRuntime        n8n installed on first use (test/e2e/lib/n8n.ts)
 *   4. installPackage       the built package, npm-packed, into the n8n user folder
 *   5. importSandboxData    the credentials every run, the examples on the first run
 *   6. startN8n             n8n on 127.0.0.1, the trigger, AI Agent and MCP examples listening
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
	appcuesCredentials,
	loadWorkflows,
	SANDBOX_CREDENTIAL,
	triggerWebhookPath,
} from '../test/e2e/lib/appcues';
import {
	N8nSandbox,
	packPackage,
	repoRoot,
	type N8nRuntime,
	type N8nVersion,
	type RunningN8n,
	type WorkflowJson,
} from '../test/e2e/lib/n8n';
import type { ScriptedModel } from '../test/e2e/lib/scripted-model';
import { FakeAppcues } from '../test/fake-appcues/server';
import { seedDemoData } from '../test/fake-appcues/seed';
import { DEMO_MODEL_API_KEY, DEMO_MODEL_CREDENTIAL, startDemoModel } from './demo-model';

/** The example workflows of the sandbox (demo users, the working credential only). */
export const EXAMPLES_DIR = join(repoRoot(), 'examples');
export const MARKER = 'dev-sandbox.json';

export type Examples = Record<string, WorkflowJson & { id: string }>;

/** The bearer token of the MCP server example in the sandbox (an MCP client sends it). */
export const SANDBOX_MCP_TOKEN = 'sandbox-mcp-token';
export const SANDBOX_MCP_CREDENTIAL = {
	id: 'appcuesMcpToken1',
	name: 'Appcues MCP bearer token (sandbox)',
} as const;
/** The examples published in the sandbox, so their webhooks answer without the editor. */
const PUBLISHED_EXAMPLES = ['trigger', 'ai-agent', 'mcp-server'];

export function loadExamples(): Examples {
	return loadWorkflows(EXAMPLES_DIR);
}

// Measured: n8n 2.41.1 installed takes 2.7 GB and its Node 24 0.2 GB (2.8.4: 2.1 GB); npm's
// cache needs room as well.
const RUNTIME_DISK_GB = 3.5;

function runtimeInstalled(version: N8nVersion): boolean {
	const marker = join(
		repoRoot(),
		'e2e',
		'runtimes',
		`n8n-${version}`,
		'node_modules',
		'.e2e-runtime-installed',
	);
	return existsSync(marker);
}

function onPath(command: string): boolean {
	try {
		execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/**
 * What is missing for the first run, as sentences (empty when all is there). Installing n8n builds
 * sqlite3 from source (python3, make, g++) and fetches n8n, and for 2.41.1 a Node 24 binary, from
 * the npm registry. Once the runtime is installed none of this is needed again.
 */
export function missingPrerequisites(version: N8nVersion): string[] {
	const missing: string[] = [];
	const [major] = process.versions.node.split('.').map(Number);
	if (major < 20)
		missing.push(`Node.js 20 or newer runs this script (found ${process.versions.node})`);
	if (runtimeInstalled(version)) return missing;
	for (const [command, why] of [
		['npm', 'npm installs n8n from the npm registry'],
		['python3', 'python3 is needed to build sqlite3 (node-gyp)'],
		['make', 'make is needed to build sqlite3'],
		['g++', 'g++ is needed to build sqlite3'],
	] as const) {
		if (!onPath(command)) missing.push(`${why}: "${command}" is not on PATH`);
	}
	const runtimes = join(repoRoot(), 'e2e', 'runtimes');
	mkdirSync(runtimes, { recursive: true });
	const stats = statfsSync(runtimes);
	const freeGb = (stats.bavail * stats.bsize) / 1024 ** 3;
	if (freeGb < RUNTIME_DISK_GB) {
		missing.push(
			`installing n8n ${version} needs about ${RUNTIME_DISK_GB} GB free in ${runtimes} (${freeGb.toFixed(1)} GB free)`,
		);
	}
	return missing;
}

/** Throws one message naming everything missing and how to get it. */
export function checkPrerequisites(version: N8nVersion): void {
	const missing = missingPrerequisites(version);
	if (missing.length === 0) return;
	throw new Error(
		`the first run installs n8n ${version} and cannot start:\n${missing.map((m) => `  - ${m}`).join('\n')}\n` +
			'  On Debian or Ubuntu: apt-get install -y python3 make g++',
	);
}

/**
 * The fake Appcues API with the demo data, on `port` (0: a free one), and the scripted demo model
 * the AI Agent example talks to instead of OpenAI (on a free port).
 */
export async function startAppcuesSandbox(
	port: number,
): Promise<{ fake: FakeAppcues; sandboxUrl: string; model: ScriptedModel }> {
	const fake = new FakeAppcues({ seed: seedDemoData });
	const sandboxUrl = await fake.start(port);
	const model = await startDemoModel();
	return { fake, sandboxUrl, model };
}

/** An n8n user folder under `devDir` with the freshly built package installed as users install it. */
export async function installPackage(
	runtime: N8nRuntime,
	devDir: string,
	port: number,
): Promise<N8nSandbox> {
	const n8n = new N8nSandbox(runtime, devDir, port, { keep: true });
	await mkdir(n8n.n8nDir, { recursive: true });
	await mkdir(n8n.inputDir, { recursive: true });
	const tgz = await packPackage(repoRoot(), join(devDir, 'package'));
	await n8n.installPackageTarball(tgz);
	return n8n;
}

/**
 * Imports the credentials (every run: the sandbox's and the model's ports may have changed, and
 * the newest Appcues credential is the one n8n preselects in a new node) and, unless they were
 * imported before, the examples, publishing those started by a webhook. The credentials: the
 * working Appcues one, the scripted demo model's (an OpenAI credential whose Base URL points at
 * it) and the MCP example's bearer token. The wrong-key credential of the e2e suite is never
 * imported here: a new user's first node must get a working credential.
 */
export async function importSandboxData(
	n8n: N8nSandbox,
	sandboxUrl: string,
	opts: { version: string; examples: boolean; modelUrl: string; toolsUrl?: string },
): Promise<Examples> {
	await n8n.importCredentials([
		{
			...DEMO_MODEL_CREDENTIAL,
			type: 'openAiApi',
			data: { apiKey: DEMO_MODEL_API_KEY, url: opts.modelUrl },
		},
		{ ...SANDBOX_MCP_CREDENTIAL, type: 'httpBearerAuth', data: { token: SANDBOX_MCP_TOKEN } },
		// Last: n8n preselects the newest credential of a type.
		...appcuesCredentials(sandboxUrl, undefined, opts.toolsUrl).filter(
			(c) => c.id === SANDBOX_CREDENTIAL.id,
		),
	]);
	const examples = loadExamples();
	if (opts.examples) {
		await n8n.importWorkflows(Object.values(examples));
		for (const key of PUBLISHED_EXAMPLES)
			if (examples[key]) await n8n.publishWorkflow(examples[key].id);
		await writeFile(
			join(n8n.root, MARKER),
			`${JSON.stringify({ version: opts.version, importedAt: new Date().toISOString() }, null, 2)}\n`,
		);
	}
	return examples;
}

/** `n8n start`, then waits until the published trigger example answers (false if it does not). */
export async function startN8n(
	n8n: N8nSandbox,
	examples: Examples,
	opts: { env?: Record<string, string> } = {},
): Promise<{ server: RunningN8n; hookPath: string; triggerActive: boolean }> {
	const server = await n8n.start({ timeoutMs: 180_000, env: opts.env });
	const hookPath = triggerWebhookPath(examples.trigger);
	const triggerActive = await server.waitForWebhook(hookPath, { timeoutMs: 60_000 }).then(
		() => true,
		() => false,
	);
	return { server, hookPath, triggerActive };
}

/**
 * `npm run dev`: try the package without an Appcues account.
 *
 * Starts the fake Appcues API (test/fake-appcues, the server the tests use) as a sandbox seeded
 * with demo data, makes sure n8n 2.41.1 is installed (e2e/install-runtime.sh), installs the freshly
 * built package into a persistent n8n user folder (.dev/n8n, gitignored) as a community package,
 * imports the credential "Appcues Sandbox" (pointing at the sandbox) and the example workflows of
 * test/e2e/workflows/, publishes the trigger example, starts n8n on 127.0.0.1 and prints what to
 * try. Ctrl-C stops n8n and the sandbox.
 *
 *   npm run dev                  # build, then this script
 *   npm run dev -- --reset       # start from an empty user folder (new owner account, examples again)
 *   npm run dev -- --queue       # queue mode: main, 2 workers, webhook processor (scripts/dev-queue.ts)
 *
 * Env: N8N_DEV_PORT (default 5678), APPCUES_SANDBOX_PORT (default 4010); a busy port is replaced
 * by a free one. N8N_DEV_VERSION=2.8.4 runs the oldest supported n8n instead (own folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_ACCOUNT, EXPERIENCE_TYPES, FakeAppcues } from '../test/fake-appcues/server';
import { seedDemoData } from '../test/fake-appcues/seed';
import {
	appcuesCredentials,
	loadWorkflows,
	SANDBOX_CREDENTIAL,
	triggerWebhookPath,
	WEBHOOK_SECRET,
	WRONG_KEY_CREDENTIAL,
} from '../test/e2e/lib/appcues';
import {
	ensureRuntime,
	getFreePort,
	N8N_VERSIONS,
	N8nSandbox,
	packPackage,
	repoRoot,
	stripAnsi,
	type N8nVersion,
} from '../test/e2e/lib/n8n';
import { killAllProcessesSync } from '../test/e2e/lib/processes';
import { startQueueSandbox } from './dev-queue';

const MARKER = 'dev-sandbox.json';

function log(message = '') {
	process.stdout.write(`${message}\n`);
}

function step(message: string) {
	log(`[dev] ${message}`);
}

/** `preferred` when nothing listens on it (127.0.0.1), else a free port. */
async function portOr(preferred: number): Promise<number> {
	const free = await new Promise<boolean>((resolvePort) => {
		const server = createServer();
		server.once('error', () => resolvePort(false));
		server.listen(preferred, '127.0.0.1', () => server.close(() => resolvePort(true)));
	});
	return free ? preferred : getFreePort();
}

async function main() {
	const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false }, queue: { type: 'boolean', default: false } } });
	// Queue mode (main, 2 workers, webhook processor, Redis, PostgreSQL): see scripts/dev-queue.ts.
	if (values.queue) return startQueueSandbox();
	const version = (process.env.N8N_DEV_VERSION ?? '2.41.1') as N8nVersion;
	if (!N8N_VERSIONS.includes(version)) throw new Error(`N8N_DEV_VERSION must be one of ${N8N_VERSIONS.join(', ')}`);
	const root = repoRoot();
	const devDir = join(root, '.dev', version === '2.41.1' ? 'n8n' : `n8n-${version}`);
	const t0 = Date.now();

	if (values.reset && existsSync(devDir)) {
		step(`--reset: removing ${relative(root, devDir)}`);
		await rm(devDir, { recursive: true, force: true });
	}
	const markerFile = join(devDir, MARKER);
	const marker = existsSync(markerFile) ? (JSON.parse(readFileSync(markerFile, 'utf8')) as { version?: string }) : undefined;
	if (marker?.version && marker.version !== version) {
		throw new Error(`${relative(root, devDir)} was made by n8n ${marker.version}; run "npm run dev -- --reset" to start over`);
	}

	// 1. The sandbox: the fake Appcues API with demo data.
	const fake = new FakeAppcues({ seed: seedDemoData });
	const sandboxUrl = await fake.start(await portOr(Number(process.env.APPCUES_SANDBOX_PORT ?? 4010)));
	step(`Appcues sandbox listening on ${sandboxUrl}`);

	// 2. n8n (installed on first use, ~5 minutes; a no-op afterwards).
	step(`making sure n8n ${version} is installed (the first time takes a few minutes)`);
	const runtime = await ensureRuntime(version);

	// From here on Ctrl-C stops n8n gracefully (the e2e library's own handler would SIGKILL it).
	let stopping = false;
	let n8n: N8nSandbox | undefined;
	const shutdown = async (code: number) => {
		if (stopping) {
			killAllProcessesSync();
			process.exit(code);
		}
		stopping = true;
		log('\n[dev] stopping n8n and the Appcues sandbox ...');
		await n8n?.stop();
		await fake.close();
		log('[dev] stopped');
		process.exit(code);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.removeAllListeners(signal);
		process.on(signal, () => void shutdown(0));
	}

	const port = await portOr(Number(process.env.N8N_DEV_PORT ?? 5678));
	n8n = new N8nSandbox(runtime, devDir, port, { keep: true });
	await mkdir(n8n.n8nDir, { recursive: true });
	await mkdir(n8n.inputDir, { recursive: true });

	// 3. The package as users install it: npm pack, unpacked into <user folder>/.n8n/nodes.
	step('installing the built package into the n8n user folder (community package)');
	const tgz = await packPackage(root, join(devDir, 'package'));
	await n8n.installPackageTarball(tgz);

	// 4. Credentials every time (the sandbox port may have changed), examples once.
	step(`importing the credentials "${SANDBOX_CREDENTIAL.name}" and "${WRONG_KEY_CREDENTIAL.name}"`);
	await n8n.importCredentials(appcuesCredentials(sandboxUrl));
	const workflows = loadWorkflows();
	if (!marker) {
		step(`importing ${Object.keys(workflows).length} example workflows and publishing the trigger example`);
		await n8n.importWorkflows(Object.values(workflows));
		await n8n.publishWorkflow(workflows.trigger.id);
		await writeFile(markerFile, `${JSON.stringify({ version, importedAt: new Date().toISOString() }, null, 2)}\n`);
	} else {
		step('example workflows were imported on an earlier run (npm run dev -- --reset imports them again)');
	}

	// 5. n8n itself.
	step(`starting n8n ${version} on ${n8n.baseUrl}`);
	const server = await n8n.start({ timeoutMs: 180_000 });
	const hookPath = triggerWebhookPath(workflows.trigger);
	await server.waitForWebhook(hookPath, { timeoutMs: 60_000 }).catch(() => {
		step('note: the trigger example is not active (was it unpublished in the editor?)');
	});
	printBanner({ version, editorUrl: `${server.baseUrl}/`, sandboxUrl, fake, workflows, hookUrl: `${server.baseUrl}/webhook/${hookPath}`, devDir: relative(root, devDir), seconds: (Date.now() - t0) / 1000 });

	// n8n ending on its own ends the session too.
	const watch = setInterval(() => {
		if (!stopping && !n8n?.running) {
			clearInterval(watch);
			log(`[dev] n8n exited unexpectedly; its last output:\n${stripAnsi(server.output()).split('\n').slice(-30).join('\n')}`);
			void shutdown(1);
		}
	}, 1000);
}

function printBanner(info: {
	version: string;
	editorUrl: string;
	sandboxUrl: string;
	fake: FakeAppcues;
	workflows: ReturnType<typeof loadWorkflows>;
	hookUrl: string;
	devDir: string;
	seconds: number;
}) {
	const { fake, workflows } = info;
	const state = fake.state(DEFAULT_ACCOUNT.accountId);
	const keys = (map: Map<string, unknown>) => [...map.keys()].join(', ');
	const order = ['users', 'groups', 'segments', 'experiences', 'tags', 'jobs', 'import-items', 'import-file', 'analytics', 'errors', 'wrong-key'];
	const examples = [...order.filter((key) => workflows[key]), ...Object.keys(workflows).filter((key) => !order.includes(key) && key !== 'trigger')];
	const body = `'{"id":"evt-'$TS'","name":"appcues:nps_score","user_id":"ada","attributes":{"score":9}}'`;
	log(`
================================================================================
 n8n ${info.version} with the Appcues nodes, and a local Appcues sandbox (ready in ${info.seconds.toFixed(0)} s)
================================================================================

 n8n editor:       ${info.editorUrl}
   First visit: n8n asks you to set up an owner account. Any email and password will do;
   they stay in ${info.devDir}/ (npm run dev -- --reset starts over).

 Appcues sandbox:  ${info.sandboxUrl}
   Account ID ${DEFAULT_ACCOUNT.accountId}, API key ${DEFAULT_ACCOUNT.apiKey}, secret ${DEFAULT_ACCOUNT.apiSecret}
   Credential "${SANDBOX_CREDENTIAL.name}" (region Custom Base URL) already points here; it also holds
   the Webhook Signing Secret ${WEBHOOK_SECRET} and the legacy key. "${WRONG_KEY_CREDENTIAL.name}" has a wrong secret.
   What it received:  curl -s ${info.sandboxUrl}/__fake/requests
   What it holds:     curl -s ${info.sandboxUrl}/__fake/state/${DEFAULT_ACCOUNT.accountId}

 Demo data:
   users        ${keys(state.users)}
   groups       ${keys(state.groups)}
   segments     ${keys(state.segments)}
   experiences  <type>-1 (published) and <type>-2 (draft) for ${EXPERIENCE_TYPES.join(', ')}
   tags         ${keys(state.tags)}
   jobs         ${keys(state.jobs)}

 Try: open Overview > Workflows, open an example and press "Execute workflow":
${examples.map((key) => `   - ${workflows[key].name}`).join('\n')}
   Or add an Appcues node to a new workflow: the lists (segments, experiences, tags) load from the sandbox.

 The trigger example "${workflows.trigger.name}" is published. Send it a signed delivery:

   TS=$(date +%s); BODY=${body}
   SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac '${WEBHOOK_SECRET}' -r | cut -d' ' -f1)
   curl -i '${info.hookUrl}' -H 'Content-Type: application/json' \\
     -H "X-Apc-Timestamp: $TS" -H "X-Apc-Signature: $SIG" --data "$BODY"

   200 and a new execution (Overview > Executions) that saves last_nps_score on user ada.
   The curl line alone again (same event id): 200 and no run, a duplicate. A changed BODY
   without a new SIG, or no signature headers: 401 and no run.

 Ctrl-C stops n8n and the sandbox.
`);
}

main().catch((error: unknown) => {
	process.stderr.write(`[dev] failed: ${error instanceof Error ? error.message : String(error)}\n`);
	killAllProcessesSync();
	process.exit(1);
});

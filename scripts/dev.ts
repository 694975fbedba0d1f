/**
 * `npm run dev`: try the package without an Appcues account.
 *
 * Checks what the first run needs (scripts/sandbox.ts: build tools and disk for installing n8n),
 * starts the fake Appcues API (test/fake-appcues, the server the tests use) as a sandbox seeded
 * with demo data, makes sure n8n 2.41.1 is installed (e2e/install-runtime.sh), installs the freshly
 * built package into a persistent n8n user folder (.dev/n8n, gitignored) as a community package,
 * imports the credential "Appcues Sandbox" (pointing at the sandbox) and the example workflows of
 * examples/, publishes the trigger example, starts n8n on 127.0.0.1 and prints what to try.
 * Ctrl-C stops n8n and the sandbox.
 *
 *   npm run dev                  # build, then this script
 *   npm run dev -- --reset       # start from an empty user folder (new owner account, examples again)
 *   npm run dev -- --queue       # queue mode: main, 2 workers, webhook processor (scripts/dev-queue.ts)
 *
 * Env: N8N_DEV_PORT (default 5678), APPCUES_SANDBOX_PORT (default 4010); a busy port is replaced
 * by a free one. N8N_DEV_VERSION=2.8.4 runs the oldest supported n8n instead (own folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import { SANDBOX_CREDENTIAL, WEBHOOK_SECRET } from '../test/e2e/lib/appcues';
import {
	ensureRuntime,
	getFreePort,
	N8N_VERSIONS,
	N8nSandbox,
	repoRoot,
	stripAnsi,
	type N8nVersion,
} from '../test/e2e/lib/n8n';
import { killAllProcessesSync } from '../test/e2e/lib/processes';
import { DEFAULT_ACCOUNT, EXPERIENCE_TYPES, FakeAppcues } from '../test/fake-appcues/server';
import { DEMO_MODEL_CREDENTIAL, DEMO_PROMPTS } from './demo-model';
import {
	checkPrerequisites,
	importSandboxData,
	installPackage,
	MARKER,
	SANDBOX_MCP_CREDENTIAL,
	SANDBOX_MCP_TOKEN,
	startAppcuesSandbox,
	startN8n,
	type Examples,
} from './sandbox';
import { startQueueSandbox } from './dev-queue';

function log(message = '') {
	process.stdout.write(`${message}\n`);
}

const started = Date.now();

/** One step of the start, with the time since `npm run dev` began. */
function step(message: string) {
	const seconds = Math.round((Date.now() - started) / 1000);
	const elapsed =
		seconds < 60
			? `${seconds}s`
			: `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
	log(`[dev ${elapsed}] ${message}`);
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
	const { values } = parseArgs({
		options: {
			reset: { type: 'boolean', default: false },
			queue: { type: 'boolean', default: false },
		},
	});
	// Queue mode (main, 2 workers, webhook processor, Redis, PostgreSQL): see scripts/dev-queue.ts.
	if (values.queue) return startQueueSandbox();
	const version = (process.env.N8N_DEV_VERSION ?? '2.41.1') as N8nVersion;
	if (!N8N_VERSIONS.includes(version))
		throw new Error(`N8N_DEV_VERSION must be one of ${N8N_VERSIONS.join(', ')}`);
	const root = repoRoot();
	const devDir = join(root, '.dev', version === '2.41.1' ? 'n8n' : `n8n-${version}`);
	const t0 = Date.now();

	if (values.reset && existsSync(devDir)) {
		step(`--reset: removing ${relative(root, devDir)}`);
		await rm(devDir, { recursive: true, force: true });
	}
	const markerFile = join(devDir, MARKER);
	const marker = existsSync(markerFile)
		? (JSON.parse(readFileSync(markerFile, 'utf8')) as { version?: string })
		: undefined;
	if (marker?.version && marker.version !== version) {
		throw new Error(
			`${relative(root, devDir)} was made by n8n ${marker.version}; run "npm run dev -- --reset" to start over`,
		);
	}

	// 1. What the first run needs, before anything starts.
	checkPrerequisites(version);

	// 2. The sandbox: the fake Appcues API with demo data.
	const { fake, sandboxUrl, model } = await startAppcuesSandbox(
		await portOr(Number(process.env.APPCUES_SANDBOX_PORT ?? 4010)),
	);
	step(`Appcues sandbox listening on ${sandboxUrl}; scripted demo model on ${model.baseUrl}`);

	// 3. n8n (installed on first use, ~6 minutes; a no-op afterwards).
	step(
		`making sure n8n ${version} is installed (the first time takes about 6 minutes and says every 20 s how far it is)`,
	);
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
		await model.stop();
		log('[dev] stopped');
		process.exit(code);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.removeAllListeners(signal);
		process.on(signal, () => void shutdown(0));
	}

	// 4. The package as users install it: npm pack, unpacked into <user folder>/.n8n/nodes.
	step('installing the built package into the n8n user folder (community package)');
	n8n = await installPackage(
		runtime,
		devDir,
		await portOr(Number(process.env.N8N_DEV_PORT ?? 5678)),
	);

	// 5. The credential every time (the sandbox port may have changed), examples once.
	step(
		marker
			? `importing the credentials "${SANDBOX_CREDENTIAL.name}", "${DEMO_MODEL_CREDENTIAL.name}" and "${SANDBOX_MCP_CREDENTIAL.name}"`
			: 'importing the credentials and the example workflows, and publishing the trigger, AI Agent and MCP examples',
	);
	const examples = await importSandboxData(n8n, sandboxUrl, {
		version,
		examples: !marker,
		modelUrl: model.baseUrl,
		toolsUrl: fake.toolsUrl,
	});
	if (marker)
		step(
			'example workflows were imported on an earlier run (npm run dev -- --reset imports them again)',
		);

	// 6. n8n itself.
	step(`starting n8n ${version} on ${n8n.baseUrl}`);
	const { server, hookPath, triggerActive } = await startN8n(n8n, examples);
	if (!triggerActive)
		step('note: the trigger example is not active (was it unpublished in the editor?)');
	printBanner({
		version,
		editorUrl: `${server.baseUrl}/`,
		sandboxUrl,
		modelUrl: model.baseUrl,
		fake,
		examples,
		hookUrl: `${server.baseUrl}/webhook/${hookPath}`,
		devDir: relative(root, devDir),
		seconds: (Date.now() - t0) / 1000,
	});

	// n8n ending on its own ends the session too.
	const watch = setInterval(() => {
		if (!stopping && !n8n?.running) {
			clearInterval(watch);
			log(
				`[dev] n8n exited unexpectedly; its last output:\n${stripAnsi(server.output()).split('\n').slice(-30).join('\n')}`,
			);
			void shutdown(1);
		}
	}, 1000);
}

function printBanner(info: {
	version: string;
	editorUrl: string;
	sandboxUrl: string;
	modelUrl: string;
	fake: FakeAppcues;
	examples: Examples;
	hookUrl: string;
	devDir: string;
	seconds: number;
}) {
	const { fake, examples } = info;
	const state = fake.state(DEFAULT_ACCOUNT.accountId);
	const keys = (map: Map<string, unknown>) => [...map.keys()].join(', ');
	const order = [
		'users',
		'groups',
		'segments',
		'experiences',
		'tags',
		'jobs',
		'import-items',
		'import-file',
		'analytics',
		'errors',
	];
	const ownSection = ['trigger', 'ai-agent', 'mcp-server'];
	const listed = [
		...order.filter((key) => examples[key]),
		...Object.keys(examples).filter((key) => !order.includes(key) && !ownSection.includes(key)),
	];
	const stateUrl = `${info.sandboxUrl}/__fake/state/${DEFAULT_ACCOUNT.accountId}`;
	const baseUrl = info.editorUrl.replace(/\/$/, '');
	const agent = examples['ai-agent'];
	const agentPath = agent?.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')?.parameters
		.path;
	const mcp = examples['mcp-server'];
	const mcpPath = mcp?.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.mcpTrigger')
		?.parameters.path;
	const [firstPrompt, ...otherPrompts] = DEMO_PROMPTS;
	const aiSection =
		agent && agentPath
			? `
 The AI Agent example "${agent.name}" is published. Its chat model is a SCRIPTED DEMO MODEL
 (credential "${DEMO_MODEL_CREDENTIAL.name}", ${info.modelUrl}), not OpenAI:
 it understands a few prompts and calls the Appcues tools a real model would. Ask it:

   curl -s ${baseUrl}/webhook/${agentPath} -H 'Content-Type: application/json' \\
     --data '{"prompt":"${firstPrompt.prompt}"}'

   {"output":"${firstPrompt.answer}"}
   Also try ${otherPrompts.map((p) => `"${p.prompt}"`).join(' or ')}, then look at the sandbox state.
   A real model: README, "AI agents" (choose an OpenAI credential in the OpenAI Chat Model node).
`
			: '';
	const mcpUrl = `${baseUrl}/mcp/${mcpPath}`;
	const initialize =
		'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}';
	const callTool =
		'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"Get_user_profile","arguments":{"user_id":"ada"}}}';
	const mcpSection =
		mcp && mcpPath
			? `
 The MCP server example "${mcp.name}" is published at ${mcpUrl}
 (Streamable HTTP, header Authorization: Bearer ${SANDBOX_MCP_TOKEN}). Any MCP client works; with curl
 (bash), open a session, then call a tool ("tools/list" lists the five Appcues tools):

   H=(-H 'Authorization: Bearer ${SANDBOX_MCP_TOKEN}' -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
   SID=$(curl -s -D - -o /dev/null "\${H[@]}" '${mcpUrl}' --data '${initialize}' | sed -n 's/^mcp-session-id: *//Ip' | tr -d '\\r')
   curl -s "\${H[@]}" -H "Mcp-Session-Id: $SID" '${mcpUrl}' --data '${callTool}'

   data: {"result":{"content":[{"type":"text","text":"[{\\"user_id\\":\\"ada\\",\\"name\\":\\"Ada Lovelace\\", ...
`
			: '';
	const body = `'{"id":"evt-'$TS'","name":"appcues:nps_score","user_id":"ada","attributes":{"score":9}}'`;
	log(`
================================================================================
 n8n ${info.version} with the Appcues nodes, and a local Appcues sandbox (ready in ${info.seconds.toFixed(0)} s)
================================================================================

 n8n editor:       ${info.editorUrl}
   First visit: n8n asks you to set up an owner account. Any email and password will do
   (at least 8 characters with a digit and a capital letter); they stay in ${info.devDir}/
   (npm run dev -- --reset starts over). If n8n offers to set up its AI assistant, choose
   "Set up later in Settings": the examples need none.

 Appcues sandbox:  ${info.sandboxUrl}
   Account ID ${DEFAULT_ACCOUNT.accountId}, API key ${DEFAULT_ACCOUNT.apiKey}, secret ${DEFAULT_ACCOUNT.apiSecret}
   Credential "${SANDBOX_CREDENTIAL.name}" (region Custom Base URL) already points here and is the
   one a new Appcues node gets; it also holds the Webhook Signing Secret ${WEBHOOK_SECRET} and the legacy key.
   What it received:  curl -s ${info.sandboxUrl}/__fake/requests
   What it holds:     curl -s ${stateUrl}

 Demo data (every example works on it):
   users        ${keys(state.users)}
   groups       ${keys(state.groups)}
   segments     ${keys(state.segments)}
   experiences  <type>-1 (published) and <type>-2 (draft) for ${EXPERIENCE_TYPES.join(', ')}
   tags         ${keys(state.tags)}
   jobs         ${keys(state.jobs)}

 Try: open Overview > Workflows, open an example and press "Execute workflow":
${listed.map((key) => `   - ${examples[key].name}`).join('\n')}
   For instance "${examples.users?.name ?? 'users'}" sets seats 42 on ada and 8 on grace and
   tracks "seats_changed" for both: run it, then look at users.ada in the curl above.
   Or add an Appcues node to a new workflow: the lists (segments, experiences, tags) load from the sandbox.

 The trigger example "${examples.trigger.name}" is published. Send it a signed delivery:

   TS=$(date +%s); BODY=${body}
   SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac '${WEBHOOK_SECRET}' -r | cut -d' ' -f1)
   curl -i '${info.hookUrl}' -H 'Content-Type: application/json' \\
     -H "X-Apc-Timestamp: $TS" -H "X-Apc-Signature: $SIG" --data "$BODY"

   200 and a new execution (Overview > Executions) that saves last_nps_score 9 on user ada.
   The curl line alone again (same event id): 200 and no run, a duplicate. A changed BODY
   without a new SIG, or no signature headers: 401 and no run.
${aiSection}${mcpSection}
 Ctrl-C stops n8n and the sandbox.
`);
}

main().catch((error: unknown) => {
	process.stderr.write(`[dev] failed: ${error instanceof Error ? error.message : String(error)}\n`);
	killAllProcessesSync();
	process.exit(1);
});

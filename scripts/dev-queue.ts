/**
 * `npm run dev -- --queue`: the dev sandbox in n8n queue mode, for users to try what the README's
 * "Queue mode" section describes. Starts the fake Appcues API (demo data), Redis and PostgreSQL
 * (installed with apt-get when missing: needs root the first time), one main, two workers and one
 * webhook processor of n8n 2.41.1 (test/e2e/lib/queue.ts), with the built package installed into
 * each instance's user folder, the credentials and example workflows imported and the trigger
 * example published. Everything lives in a temporary folder and is removed on Ctrl-C (the regular
 * `npm run dev` keeps its folder; this one starts fresh each time, owner account included).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_ACCOUNT, FakeAppcues } from '../test/fake-appcues/server';
import { seedDemoData } from '../test/fake-appcues/seed';
import {
	appcuesCredentials,
	loadWorkflows,
	SANDBOX_CREDENTIAL,
	triggerWebhookPath,
	WEBHOOK_SECRET,
} from '../test/e2e/lib/appcues';
import { ensureRuntime, packPackage, repoRoot, stripAnsi } from '../test/e2e/lib/n8n';
import { killAllProcessesSync } from '../test/e2e/lib/processes';
import { createQueueTopology, importIntoQueue, type QueueTopology } from '../test/e2e/lib/queue';

const log = (message: string) => process.stdout.write(`[dev --queue] ${message}\n`);

export async function startQueueSandbox(): Promise<void> {
	const t0 = Date.now();
	const fake = new FakeAppcues({ seed: seedDemoData });
	const sandboxUrl = await fake.start(0);
	log(`Appcues sandbox listening on ${sandboxUrl}`);
	// Before the signal handlers below: the first tracked process installs the e2e library's own
	// handlers (SIGKILL on Ctrl-C), which these replace so Ctrl-C stops everything gracefully.
	log('making sure n8n 2.41.1 is installed (the first time takes a few minutes)');
	await ensureRuntime('2.41.1');
	const packDir = await mkdtemp(join(tmpdir(), 'appcues-dev-queue-'));
	let queue: QueueTopology | undefined;
	let stopping = false;
	const shutdown = async (code: number) => {
		if (stopping) {
			killAllProcessesSync();
			process.exit(code);
		}
		stopping = true;
		log('stopping n8n, PostgreSQL, Redis and the Appcues sandbox ...');
		await queue?.stop();
		await fake.close();
		await rm(packDir, { recursive: true, force: true });
		log('stopped');
		process.exit(code);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.removeAllListeners(signal);
		process.on(signal, () => void shutdown(0));
	}
	try {
		log(
			'starting Redis and PostgreSQL (apt-get install the first time), installing the package into 4 user folders',
		);
		queue = await createQueueTopology({ tarball: await packPackage(repoRoot(), packDir) });
		const workflows = loadWorkflows();
		log('importing the credentials and the example workflows, publishing the trigger example');
		await importIntoQueue(queue, {
			credentials: appcuesCredentials(sandboxUrl, undefined, fake.toolsUrl),
			workflows: Object.values(workflows),
			publish: [workflows.trigger.id],
		});
		log('starting main, 2 workers and the webhook processor (about a minute)');
		await queue.start();
		const main = queue.process(queue.main);
		const webhook = queue.process(queue.webhook);
		const hookPath = triggerWebhookPath(workflows.trigger);
		await webhook
			.waitForWebhook(hookPath, { timeoutMs: 60_000 })
			.catch(() => log('note: the trigger example is not active yet'));
		const body = `'{"id":"evt-'$TS'","name":"appcues:nps_score","user_id":"ada","attributes":{"score":9}}'`;
		process.stdout.write(`
================================================================================
 n8n 2.41.1 in queue mode with the Appcues nodes (ready in ${((Date.now() - t0) / 1000).toFixed(0)} s)
================================================================================
 Editor (main):        ${main.baseUrl}/     (set up any owner account on the first visit)
 Webhook processor:    ${webhook.baseUrl}/webhook/...
 Workers:              ${queue.workers.length} x "n8n worker --concurrency=10" (health: ${queue.workers.map((w) => `${queue!.process(w).baseUrl}/healthz`).join(', ')})
 Redis ${queue.services.redisPort}, PostgreSQL ${queue.services.postgresPort} (database n8n, user n8n), all on 127.0.0.1
 Appcues sandbox:      ${sandboxUrl} (account ${DEFAULT_ACCOUNT.accountId}; credential "${SANDBOX_CREDENTIAL.name}")

 "Execute workflow" in the editor runs on a worker (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true).
 A signed delivery to the webhook processor, run by a worker:

   TS=$(date +%s); BODY=${body}
   SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac '${WEBHOOK_SECRET}' -r | cut -d' ' -f1)
   curl -i '${webhook.baseUrl}/webhook/${hookPath}' -H 'Content-Type: application/json' \\
     -H "X-Apc-Timestamp: $TS" -H "X-Apc-Signature: $SIG" --data "$BODY"

 Logs: ${queue.sandboxes.map((s) => `${s.inputDir}`).join('\n       ')}
 Ctrl-C stops everything and removes the folders.
`);
		const watch = setInterval(() => {
			const gone = queue?.sandboxes.find((s) => !s.running);
			if (!stopping && gone) {
				clearInterval(watch);
				log(
					`an n8n process exited unexpectedly (${gone.root}); its last output:\n${stripAnsi(queue!.allOutput()).split('\n').slice(-30).join('\n')}`,
				);
				void shutdown(1);
			}
		}, 1000);
	} catch (error) {
		log(`failed: ${error instanceof Error ? error.message : String(error)}`);
		await shutdown(1);
	}
}

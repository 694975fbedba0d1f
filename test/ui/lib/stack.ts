/**
 * The browser test's n8n: the dev sandbox of `npm run dev` (scripts/sandbox.ts, the same steps)
 * in a temporary folder on free ports, so it runs beside a developer's own `npm run dev`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureRuntime, getFreePort, type N8nSandbox, type RunningN8n } from '../../e2e/lib/n8n';
import type { ScriptedModel } from '../../e2e/lib/scripted-model';
import type { FakeAppcues } from '../../fake-appcues/server';
import {
	checkPrerequisites,
	importSandboxData,
	installPackage,
	startAppcuesSandbox,
	startN8n,
	type Examples,
} from '../../../scripts/sandbox';

export const UI_N8N_VERSION = '2.41.1';

export interface EditorStack {
	root: string;
	fake: FakeAppcues;
	sandboxUrl: string;
	/** The scripted demo model the AI Agent example talks to. */
	model: ScriptedModel;
	n8n: N8nSandbox;
	server: RunningN8n;
	examples: Examples;
	hookPath: string;
	stop(opts: { keepFiles: boolean }): Promise<void>;
}

export async function startEditorStack(): Promise<EditorStack> {
	checkPrerequisites(UI_N8N_VERSION);
	const { fake, sandboxUrl, model } = await startAppcuesSandbox(0);
	const root = await mkdtemp(join(tmpdir(), 'appcues-ui-'));
	let n8n: N8nSandbox | undefined;
	try {
		const runtime = await ensureRuntime(UI_N8N_VERSION);
		n8n = await installPackage(runtime, root, await getFreePort());
		const examples = await importSandboxData(n8n, sandboxUrl, {
			version: UI_N8N_VERSION,
			examples: true,
			modelUrl: model.baseUrl,
			toolsUrl: fake.toolsUrl,
		});
		const { server, hookPath, triggerActive } = await startN8n(n8n, examples);
		if (!triggerActive) throw new Error('the published trigger example did not become active');
		const started = n8n;
		return {
			root,
			fake,
			sandboxUrl,
			model,
			n8n: started,
			server,
			examples,
			hookPath,
			async stop({ keepFiles }) {
				await started.stop();
				await fake.close();
				await model.stop();
				if (!keepFiles) await rm(root, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await n8n?.stop();
		await fake.close();
		await model.stop();
		await rm(root, { recursive: true, force: true });
		throw error;
	}
}

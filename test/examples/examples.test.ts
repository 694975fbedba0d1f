/**
 * The example workflows of examples/ (imported by `npm run dev`, offered in the README): one
 * naming pattern, and on every canvas a short note saying what to do and what to check after a run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { WorkflowJson, WorkflowNode } from '../e2e/lib/n8n';
import { repoRoot } from '../e2e/lib/n8n';

const DIR = join(repoRoot(), 'examples');
const STICKY = 'n8n-nodes-base.stickyNote';
/** Room n8n's canvas gives a node (the AI Agent is wider; this is the common size). */
const NODE_SIZE = 100;

const files = readdirSync(DIR).filter((file) => file.endsWith('.json'));

function load(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as WorkflowJson;
}

function noteBox(note: WorkflowNode) {
	const { width, height } = note.parameters as { width: number; height: number };
	return { x: note.position[0], y: note.position[1], width, height };
}

describe('example workflows', () => {
	it('there are examples', () => {
		expect(files.length).toBeGreaterThanOrEqual(10);
	});

	it.each(files)('%s is named "Appcues example: ..." and has a fixed id', (file) => {
		const workflow = load(file);
		expect(workflow.name).toMatch(/^Appcues example: \S/);
		expect(workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
	});

	it.each(files)(
		'%s has a note on its canvas: its title, what it does, what to do and what to check',
		(file) => {
			const workflow = load(file);
			const notes = workflow.nodes.filter((node) => node.type === STICKY);
			const about = notes.find((note) => note.name === 'About this example');
			expect(about, `${file}: no sticky note "About this example"`).toBeDefined();
			const content = String(about!.parameters.content);
			const [heading, ...rest] = content.split('\n');
			expect(heading).toBe(`## ${workflow.name}`);
			const body = rest.join('\n');
			expect(body).toMatch(/\*\*Do:\*\* \S/);
			expect(body).toMatch(/\*\*Check:\*\* \S/);
			// Short: it is read on the canvas, the README has the details.
			expect(content.length).toBeLessThanOrEqual(600);
		},
	);

	it.each(files)('%s: no note covers a node', (file) => {
		const workflow = load(file);
		const notes = workflow.nodes.filter((node) => node.type === STICKY);
		for (const note of notes) {
			const box = noteBox(note);
			for (const node of workflow.nodes.filter((n) => n.type !== STICKY)) {
				const [x, y] = node.position;
				const overlaps =
					x < box.x + box.width &&
					x + NODE_SIZE > box.x &&
					y < box.y + box.height &&
					y + NODE_SIZE > box.y;
				expect(overlaps, `"${note.name}" covers "${node.name}"`).toBe(false);
			}
		}
	});
});

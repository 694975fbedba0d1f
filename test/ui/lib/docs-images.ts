/**
 * The README's pictures (docs/images/): taken by the browser test at the steps that show them
 * (`Screenshots.take(page, step, { image, selector })`), copied by `npm run docs:images`
 * (scripts/docs-images.ts). The text is each picture's alt text in the README.
 */
import { readFileSync } from 'node:fs';

export const DOCS_IMAGES = {
	'node-creator': "The node creator's Appcues entry with its actions",
	'node-panel': 'The Appcues node panel: Segment > Get by Studio URL, run, with its output',
	'trigger-run': 'The Appcues Trigger listening for a test event, with a delivered NPS event',
	'example-users': 'The users example after a run, with its note',
	'example-ai-agent': 'The AI Agent example after a run on the sandbox scripted demo model',
	'example-mcp-server': 'The MCP server example: an MCP Server Trigger with five Appcues tools',
} as const;

export type DocsImage = keyof typeof DOCS_IMAGES;

/** Pictures are rendered at this share of the 1440 x 900 screenshots (small files, readable). */
export const DOCS_IMAGE_SCALE = 0.8;
/** Largest picture file the README may carry. */
export const DOCS_IMAGE_MAX_BYTES = 150_000;

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(file: string): { width: number; height: number } {
	const bytes = readFileSync(file);
	if (bytes.toString('latin1', 1, 4) !== 'PNG') throw new Error(`${file} is not a PNG`);
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

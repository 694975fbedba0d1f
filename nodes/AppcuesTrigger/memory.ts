import { createHmac } from 'crypto';

import { SeenDeliveries } from './dedupe';
import type { DigestEncoding, SignatureForm, SignedContent } from './signature';
import { PINNED_FORMATS } from './signature';

/** The form Automatic mode learned, with a fingerprint of the secret it was learned under. */
export interface PinnedForm extends SignatureForm {
	secretFingerprint: string;
}

/**
 * What one trigger node remembers in this process. Static data alone is not enough: n8n saves a
 * webhook's static data after the request, so simultaneous deliveries each save their own copy and
 * overwrite each other's ids, and n8n 2.41 stops saving it after the first change (see the README).
 * Every check and update of this memory runs without an await in between, so in one process
 * simultaneous deliveries see each other.
 */
export interface TriggerMemory {
	seen: SeenDeliveries;
	pin?: PinnedForm;
}

/**
 * A trigger node's memory holds up to MAX_SEEN event ids and
 * MAX_BODY_ONLY_DIGESTS digests; this bounds how many nodes are kept.
 */
export const MAX_TRIGGER_MEMORIES = 50;

const memories = new Map<string, TriggerMemory>();

/** The memory of one trigger node of one workflow; the least recently used one goes first. */
export function triggerMemory(workflowId: string, nodeId: string): TriggerMemory {
	const key = JSON.stringify([workflowId, nodeId]);
	let memory = memories.get(key);
	if (memory) {
		memories.delete(key);
	} else {
		memory = { seen: new SeenDeliveries() };
	}
	memories.set(key, memory);
	if (memories.size > MAX_TRIGGER_MEMORIES) memories.delete(memories.keys().next().value!);
	return memory;
}

/**
 * A short keyed hash of the secret: it tells whether the secret changed since the form was pinned,
 * and being 12 hex digits of an HMAC it gives nothing usable about the secret itself.
 */
export function secretFingerprint(secret: string): string {
	return createHmac('sha256', secret)
		.update('n8n-nodes-appcues signature form')
		.digest('hex')
		.slice(0, 12);
}

const CONTENTS = new Set<string>(Object.values(PINNED_FORMATS).map((form) => form.content));
const ENCODINGS = new Set<string>(Object.values(PINNED_FORMATS).map((form) => form.encoding));

/** The pinned form kept in static data, or undefined when absent or malformed. */
export function readPinnedForm(stored: unknown): PinnedForm | undefined {
	if (typeof stored !== 'object' || stored === null) return undefined;
	const { content, encoding, secretFingerprint } = stored as Record<string, unknown>;
	if (typeof content !== 'string' || !CONTENTS.has(content)) return undefined;
	if (typeof encoding !== 'string' || !ENCODINGS.has(encoding)) return undefined;
	if (typeof secretFingerprint !== 'string' || secretFingerprint === '') return undefined;
	return {
		content: content as SignedContent,
		encoding: encoding as DigestEncoding,
		secretFingerprint,
	};
}

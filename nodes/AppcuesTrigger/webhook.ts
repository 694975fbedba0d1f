import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { createHash } from 'crypto';

import { booleanValue } from '../shared/booleanValue';
import { DEFAULT_MAX_BODY_KB, DEFAULT_REPLAY_WINDOW_SECONDS } from './description';
import {
	BODY_ONLY_MEMORY_MS,
	BODY_ONLY_PREFIX,
	MAX_BODY_ONLY_DIGESTS,
	SEEN_EVENTS_KEY,
	rememberUntil,
} from './dedupe';
import type { SeenDeliveries } from './dedupe';
import { buildFilter, passesFilter } from './filters';
import { readPinnedForm, secretFingerprint, triggerMemory } from './memory';
import type { TriggerMemory } from './memory';
import {
	contentTypeProblem,
	eventKeyOf,
	eventTimeOf,
	eventsFromJson,
	eventsFromRawBody,
} from './payload';
import type { IdTexts, Parsed } from './payload';
import {
	PINNED_FORMATS,
	isSignatureFormat,
	signatureFormName,
	signsTimestamp,
	verifySignature,
} from './signature';
import type {
	SignatureForm,
	SignatureFormName,
	SignatureFormat,
	VerifiedSignature,
} from './signature';
import { isWithinReplayWindow, parseTimestamp } from './timestamp';

export const SIGNATURE_HEADER = 'x-apc-signature';
export const TIMESTAMP_HEADER = 'x-apc-timestamp';

/** Where Automatic mode keeps the form it learned, in the node's static data. */
export const PINNED_FORM_KEY = 'signatureForm';

interface TriggerOptions {
	ignoreDuplicates: boolean;
	includeHeaders: boolean;
	maxBodyBytes: number;
	replayWindowSeconds: number;
	signatureFormat: SignatureFormat;
}

/**
 * The part of n8n's request object the trigger uses; n8n 2.x sets rawBody before calling webhook().
 */
interface WebhookRequest {
	rawBody?: unknown;
}

/**
 * A number option: its default when the option is not added, else a number of 0 or more. Anything
 * else (an expression giving empty text, NaN, a negative number) stops the delivery: read as 0 it
 * would silently turn the replay check or the size limit off.
 */
function nonNegativeOption(
	options: IDataObject,
	name: string,
	label: string,
	fallback: number,
): number {
	const value = options[name];
	if (value === undefined) return fallback;
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: NaN;
	if (Number.isFinite(number) && number >= 0) return number;
	throw new Error(
		`${label} must be a number of 0 or more, not ${JSON.stringify(value) ?? String(value)}`,
	);
}

function readOptions(this: IWebhookFunctions): TriggerOptions {
	const options = this.getNodeParameter('options', {}) as IDataObject;
	return {
		ignoreDuplicates: booleanValue(options.ignoreDuplicates) ?? true,
		includeHeaders: booleanValue(options.includeHeaders) ?? false,
		maxBodyBytes:
			nonNegativeOption(options, 'maxBodySize', 'Max Body Size (KB)', DEFAULT_MAX_BODY_KB) * 1024,
		replayWindowSeconds: nonNegativeOption(
			options,
			'replayWindow',
			'Replay Window (Seconds)',
			DEFAULT_REPLAY_WINDOW_SECONDS,
		),
		signatureFormat: isSignatureFormat(options.signatureFormat) ? options.signatureFormat : 'auto',
	};
}

/**
 * The signing secret, or undefined when no credential is selected or it has no secret. A selected
 * credential that cannot be loaded throws: the caller fails closed rather than skip the check.
 */
async function loadSecret(this: IWebhookFunctions): Promise<string | undefined> {
	if (!this.getNode().credentials?.appcuesApi) return undefined;
	const credentials = await this.getCredentials('appcuesApi');
	const secret =
		typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '';
	return secret || undefined;
}

/** A header sent once; a repeated header is treated as missing. */
function singleHeader(headers: IDataObject, name: string): string | undefined {
	const value = headers[name];
	if (Array.isArray(value)) {
		return value.length === 1 && typeof value[0] === 'string' ? value[0] : undefined;
	}
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** n8n keeps the request bytes in rawBody as a Buffer; a string or bytes are accepted too. */
function rawBodyOf(request: WebhookRequest | undefined): Buffer | undefined {
	const raw = request?.rawBody;
	if (Buffer.isBuffer(raw)) return raw;
	if (raw instanceof Uint8Array) return Buffer.from(raw);
	if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
	return undefined;
}

/** Answers the request here and tells n8n not to answer it or start a run. */
function reply(this: IWebhookFunctions, status: number, text?: string): IWebhookResponseData {
	const res = this.getResponseObject();
	if (text === undefined) {
		res.status(status).end();
	} else {
		// Plain text, so nothing in a message is ever rendered as HTML.
		res.setHeader('Content-Type', 'text/plain; charset=utf-8');
		res.status(status).send(text).end();
	}
	return { noWebhookResponse: true };
}

/** The same body for every failed check, so a caller cannot learn which part failed. */
function unauthorized(this: IWebhookFunctions): IWebhookResponseData {
	return reply.call(this, 401, 'Unauthorized');
}

function badRequest(this: IWebhookFunctions, problem: string): IWebhookResponseData {
	return reply.call(this, 400, `Bad Request: ${problem}`);
}

/** A delivery that passed the signature and timestamp checks. */
interface Verified {
	signature: VerifiedSignature;
	/** X-Apc-Timestamp, when the replay window is on. */
	timestampMs?: number;
}

function verify(
	headers: IDataObject,
	rawBody: Buffer | undefined,
	secret: string,
	only: SignatureForm | undefined,
	options: TriggerOptions,
	nowMs: number,
): Verified | undefined {
	// Without the received bytes nothing can be verified; re-serialising parsed JSON is never signed.
	if (!rawBody) return undefined;
	const signatureHeader = singleHeader(headers, SIGNATURE_HEADER);
	const timestamp = singleHeader(headers, TIMESTAMP_HEADER);
	if (signatureHeader === undefined || timestamp === undefined) return undefined;
	const signature = verifySignature(
		{ secret, rawBody, timestamp, signature: signatureHeader },
		only,
	);
	if (!signature) return undefined;
	if (options.replayWindowSeconds <= 0) return { signature };
	const timestampMs = parseTimestamp(timestamp);
	if (timestampMs === undefined) return undefined;
	if (!isWithinReplayWindow(timestampMs, nowMs, options.replayWindowSeconds)) return undefined;
	return { signature, timestampMs };
}

/** What the trigger remembers, in this process and in the node's static data. */
interface Memory {
	process: TriggerMemory;
	staticData: IDataObject;
	/** Static data lacks something this process remembers (n8n 2.41 did not save it, or a race). */
	behind: boolean;
}

/**
 * The node's memory in this process, with whatever static data holds added to it (saved before a
 * restart, or by another process in queue mode).
 */
function openMemory(this: IWebhookFunctions, nowMs: number): Memory {
	const node = this.getNode();
	const processMemory = triggerMemory(String(this.getWorkflow().id ?? ''), node.id ?? node.name);
	const staticData = this.getWorkflowStaticData('node');
	const stored = processMemory.seen.merge(staticData[SEEN_EVENTS_KEY], nowMs);
	processMemory.seen.prune(nowMs);
	const pin = processMemory.pin;
	const storedPin = readPinnedForm(staticData[PINNED_FORM_KEY]);
	const pinBehind =
		pin !== undefined &&
		(storedPin?.content !== pin.content ||
			storedPin.encoding !== pin.encoding ||
			storedPin.secretFingerprint !== pin.secretFingerprint);
	return {
		process: processMemory,
		staticData,
		behind: processMemory.seen.storedSize > stored || pinBehind,
	};
}

/** The form Automatic mode pinned under this secret, if any. */
function pinnedForm(memory: Memory, fingerprint: string): SignatureForm | undefined {
	if (memory.process.pin?.secretFingerprint === fingerprint) return memory.process.pin;
	const stored = readPinnedForm(memory.staticData[PINNED_FORM_KEY]);
	if (stored?.secretFingerprint !== fingerprint) return undefined;
	memory.process.pin = stored;
	return stored;
}

/**
 * Writes the memory to static data: every acknowledged key, and the keys of this delivery (`own`),
 * which n8n saves only once it has queued the run; never the keys of another delivery still open
 * (its run may yet fail, and a stored key would come back). Assigned, not mutated, so that n8n
 * notices the change and saves it with the workflow. n8n 2.41 saves it only for a delivery that
 * starts no run, so static data catches up at the next duplicate or filtered delivery.
 */
function saveMemory(memory: Memory, nowMs: number, own: string[] = []): void {
	memory.process.seen.prune(nowMs);
	memory.staticData[SEEN_EVENTS_KEY] = memory.process.seen.toStored(new Set(own));
	if (memory.process.pin) memory.staticData[PINNED_FORM_KEY] = { ...memory.process.pin };
}

/**
 * Same bytes, same signature: the same delivery, whatever timestamp comes with it. A body-only
 * signature's digest is kept apart, never pushed out before it expires.
 */
function deliveryKey(rawBody: Buffer, signature: VerifiedSignature, bodyOnly: boolean): string {
	const digest = createHash('sha256').update(signature.digest).update(rawBody).digest('hex');
	return `${bodyOnly ? BODY_ONLY_PREFIX : 'delivery:'}${digest.slice(0, 32)}`;
}

/**
 * Drops events already seen, and repeats inside one body, and says which keys the rest bring.
 * Runs with no await, so simultaneous deliveries in this process see each other's events.
 */
function dropDuplicates(
	events: IDataObject[],
	idTexts: Map<IDataObject, IdTexts>,
	seen: SeenDeliveries,
	nowMs: number,
): { fresh: IDataObject[]; newKeys: string[]; withoutId: number; inFlight: boolean } {
	const fresh: IDataObject[] = [];
	const newKeys = new Set<string>();
	let withoutId = 0;
	let inFlight = false;
	for (const event of events) {
		const key = eventKeyOf(event, idTexts.get(event));
		if (key === undefined) {
			withoutId++;
		} else {
			if (seen.has(key, nowMs)) inFlight ||= seen.isPending(key);
			if (seen.has(key, nowMs) || newKeys.has(key)) continue;
			newKeys.add(key);
		}
		fresh.push(event);
	}
	return { fresh, newKeys: [...newKeys], withoutId, inFlight };
}

/**
 * A copy of an event whose delivery n8n has not answered yet: if that run cannot be queued, the
 * event must still arrive, so the copy is not acknowledged either; the sender tries it again.
 */
function stillDelivering(this: IWebhookFunctions): IWebhookResponseData {
	this.getResponseObject().setHeader('Retry-After', '5');
	return reply.call(
		this,
		503,
		'Service Unavailable: an event of this delivery is still being delivered; send it again later',
	);
}

/**
 * A body-only signature does not sign the timestamp header, but it does sign the body: when every
 * event carries its own time, the replay window applies to those times, and the delivery need only
 * be remembered while they are inside it. Otherwise it is remembered for a day.
 */
function bodyOnlyTimes(
	events: IDataObject[],
	options: TriggerOptions,
	nowMs: number,
): { stale: boolean; rememberUntilMs: number } {
	const dayLater = nowMs + BODY_ONLY_MEMORY_MS;
	if (options.replayWindowSeconds <= 0) return { stale: false, rememberUntilMs: dayLater };
	const times = events.map(eventTimeOf);
	const stale = times.some(
		(timeMs) =>
			timeMs !== undefined && !isWithinReplayWindow(timeMs, nowMs, options.replayWindowSeconds),
	);
	if (times.some((timeMs) => timeMs === undefined)) return { stale, rememberUntilMs: dayLater };
	const latest = Math.max(...(times as number[]));
	return { stale, rememberUntilMs: rememberUntil(nowMs, options.replayWindowSeconds, latest) };
}

function tooManyBodyOnly(this: IWebhookFunctions): IWebhookResponseData {
	return reply.call(
		this,
		429,
		`Too Many Requests: ${MAX_BODY_ONLY_DIGESTS} deliveries signed over the body only ` +
			'are remembered against replay and none has expired yet; send this one again later',
	);
}

async function handleDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const options = readOptions.call(this);
	const secret = await loadSecret.call(this);
	// From here on nothing awaits, so each delivery checks and updates the memory in one piece.
	const headers = this.getHeaderData() as IDataObject;
	const nowMs = Date.now();

	const typeProblem = contentTypeProblem(singleHeader(headers, 'content-type'));
	if (typeProblem) return badRequest.call(this, typeProblem);

	const rawBody = rawBodyOf(this.getRequestObject() as WebhookRequest | undefined);
	if (rawBody && options.maxBodyBytes > 0 && rawBody.length > options.maxBodyBytes) {
		return badRequest.call(this, `The body is larger than ${options.maxBodyBytes / 1024} KB`);
	}

	const memory =
		secret !== undefined || options.ignoreDuplicates ? openMemory.call(this, nowMs) : undefined;
	let verified: Verified | undefined;
	let pinned = false;
	if (secret !== undefined && memory) {
		const fingerprint = secretFingerprint(secret);
		const automatic = options.signatureFormat === 'auto';
		// Automatic accepts any form until one verifies, then only that one: a signature made for one
		// form can never be passed off as another.
		const only = automatic
			? pinnedForm(memory, fingerprint)
			: PINNED_FORMATS[options.signatureFormat as SignatureFormName];
		verified = verify(headers, rawBody, secret, only, options, nowMs);
		if (!verified) return unauthorized.call(this);
		if (automatic && !only) {
			memory.process.pin = { ...verified.signature.form, secretFingerprint: fingerprint };
			pinned = true;
		}
	}

	// Unsigned deliveries may fall back to the body n8n parsed when it kept no raw bytes.
	const parsed: Parsed = rawBody ? eventsFromRawBody(rawBody) : eventsFromJson(this.getBodyData());
	if ('problem' in parsed) return badRequest.call(this, parsed.problem);

	const bodyOnly = verified !== undefined && !signsTimestamp(verified.signature.form);
	const delivery =
		verified && rawBody ? deliveryKey(rawBody, verified.signature, bodyOnly) : undefined;
	if (memory && delivery !== undefined && memory.process.seen.has(delivery, nowMs)) {
		if (memory.process.seen.isPending(delivery)) return stillDelivering.call(this);
		// A copy of a delivery that already ran: whatever timestamp it carries now, no second run.
		if (memory.behind) saveMemory(memory, nowMs);
		return reply.call(this, 200);
	}
	const bodyOnlyMemory = bodyOnly ? bodyOnlyTimes(parsed.events, options, nowMs) : undefined;
	if (bodyOnlyMemory?.stale) return unauthorized.call(this);

	const filter = buildFilter(
		this.getNodeParameter('events', []),
		this.getNodeParameter('customEvents', ''),
		this.getNodeParameter('experienceIds', ''),
	);
	const wanted = parsed.events.filter((event) => passesFilter(event, filter));
	const idTexts = new Map<IDataObject, IdTexts>();
	parsed.idTexts?.forEach((texts, index) => idTexts.set(parsed.events[index], texts));
	const {
		fresh: events,
		newKeys,
		withoutId,
		inFlight,
	} = memory && options.ignoreDuplicates
		? dropDuplicates(wanted, idTexts, memory.process.seen, nowMs)
		: { fresh: wanted, newKeys: [], withoutId: 0, inFlight: false };
	if (inFlight) return stillDelivering.call(this);
	const expiresAtMs = rememberUntil(nowMs, options.replayWindowSeconds, verified?.timestampMs);
	const keys = newKeys.map((key): [string, number] => [key, expiresAtMs]);
	if (memory && events.length && delivery !== undefined && (bodyOnly || withoutId > 0)) {
		// Event ids cover the rest. A body-only signature does not sign the timestamp, so its copies
		// are refused for as long as the events' own times allow, or a day.
		if (bodyOnlyMemory) {
			if (!memory.process.seen.hasRoomForBodyOnly(nowMs)) {
				if (memory.behind) saveMemory(memory, nowMs);
				return tooManyBodyOnly.call(this);
			}
			keys.push([delivery, bodyOnlyMemory.rememberUntilMs]);
		} else {
			keys.push([delivery, expiresAtMs]);
		}
	}
	if (!events.length) {
		// Filtered out or already delivered: acknowledged, so Appcues does not retry, and no run starts.
		if (memory && (pinned || memory.behind)) saveMemory(memory, nowMs);
		return reply.call(this, 200);
	}
	if (memory) {
		rememberUntilAnswered.call(this, memory.process.seen, keys);
		if (keys.length || pinned || memory.behind) {
			saveMemory(
				memory,
				nowMs,
				keys.map(([key]) => key),
			);
		}
	}

	const items: INodeExecutionData[] = events.map((event) => ({
		json: options.includeHeaders ? withHeaders(event, headers, verified) : event,
	}));
	return { workflowData: [items] };
}

/**
 * Remembers the keys of a delivery that starts a run. n8n answers it once the run is queued, with
 * an error if it could not be; Appcues then sends it again, and that copy must run. So the keys
 * stay pending until the answer: a 2xx acknowledges them, anything else, or a connection closed
 * before the answer was sent, forgets them. Where the response object cannot tell (no events), the
 * keys are acknowledged at once.
 */
function rememberUntilAnswered(
	this: IWebhookFunctions,
	seen: SeenDeliveries,
	keys: Array<[string, number]>,
): void {
	const res = this.getResponseObject();
	const waits = keys.length > 0 && typeof res.once === 'function';
	for (const [key, expiresAtMs] of keys) seen.remember(key, expiresAtMs, waits);
	if (!waits) return;
	const names = keys.map(([key]) => key);
	let answered = false;
	res.once('finish', () => {
		answered = true;
		if (res.statusCode >= 200 && res.statusCode <= 299) seen.confirm(names);
		else seen.forget(names);
	});
	res.once('close', () => {
		if (!answered) seen.forget(names);
	});
}

function withHeaders(
	event: IDataObject,
	headers: IDataObject,
	verified: Verified | undefined,
): IDataObject {
	const output: IDataObject = {
		body: event,
		headers: { ...headers },
		verified: verified !== undefined,
	};
	if (verified) output.signatureForm = signatureFormName(verified.signature.form);
	return output;
}

/**
 * Never throws: an error escaping webhook() makes n8n start a failed execution. An unexpected
 * failure (such as a credential that cannot be loaded) gets 500 and no run, never a pass.
 */
export async function handleWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		return await handleDelivery.call(this);
	} catch (error) {
		this.logger.error('Appcues Trigger could not handle a delivery', {
			error: error instanceof Error ? error.message : String(error),
		});
		return reply.call(this, 500, 'Internal Server Error');
	}
}

import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { DEFAULT_MAX_BODY_KB, DEFAULT_REPLAY_WINDOW_SECONDS } from './description';
import { SEEN_EVENTS_KEY, hasSeen, loadSeenEvents, rememberEvents } from './dedupe';
import { buildFilter, passesFilter } from './filters';
import { contentTypeProblem, eventIdOf, eventsFromJson, eventsFromRawBody } from './payload';
import type { Parsed } from './payload';
import { isSignatureFormat, isSignatureValid } from './signature';
import type { SignatureFormat } from './signature';
import { isWithinReplayWindow, parseTimestamp } from './timestamp';

export const SIGNATURE_HEADER = 'x-apc-signature';
export const TIMESTAMP_HEADER = 'x-apc-timestamp';

interface TriggerOptions {
	ignoreDuplicates: boolean;
	includeHeaders: boolean;
	maxBodyBytes: number;
	replayWindowSeconds: number;
	signatureFormat: SignatureFormat;
}

/** The part of n8n's request object the trigger uses; n8n 2.x sets rawBody before calling webhook(). */
interface WebhookRequest {
	rawBody?: unknown;
}

function nonNegative(value: unknown, fallback: number): number {
	const number = typeof value === 'number' ? value : Number(value);
	return Number.isFinite(number) && number >= 0 ? number : fallback;
}

function readOptions(this: IWebhookFunctions): TriggerOptions {
	const options = this.getNodeParameter('options', {}) as IDataObject;
	return {
		ignoreDuplicates: options.ignoreDuplicates !== false,
		includeHeaders: options.includeHeaders === true,
		maxBodyBytes: nonNegative(options.maxBodySize, DEFAULT_MAX_BODY_KB) * 1024,
		replayWindowSeconds: nonNegative(options.replayWindow, DEFAULT_REPLAY_WINDOW_SECONDS),
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
	const secret = typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '';
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

function isAuthentic(
	headers: IDataObject,
	rawBody: Buffer | undefined,
	secret: string,
	options: TriggerOptions,
	nowMs: number,
): boolean {
	// Without the received bytes nothing can be verified; re-serialising parsed JSON is never signed.
	if (!rawBody) return false;
	const signature = singleHeader(headers, SIGNATURE_HEADER);
	const timestamp = singleHeader(headers, TIMESTAMP_HEADER);
	if (signature === undefined || timestamp === undefined) return false;
	const signatureOk = isSignatureValid({
		secret,
		rawBody,
		timestamp,
		signature,
		format: options.signatureFormat,
	});
	if (!signatureOk) return false;
	if (options.replayWindowSeconds <= 0) return true;
	const timestampMs = parseTimestamp(timestamp);
	return (
		timestampMs !== undefined &&
		isWithinReplayWindow(timestampMs, nowMs, options.replayWindowSeconds)
	);
}

/** Drops events already seen within the replay window, and repeats inside one body; remembers the rest. */
function dropDuplicates(
	this: IWebhookFunctions,
	events: IDataObject[],
	options: TriggerOptions,
	nowMs: number,
): IDataObject[] {
	if (!options.ignoreDuplicates) return events;
	const staticData = this.getWorkflowStaticData('node');
	const seen = loadSeenEvents(staticData[SEEN_EVENTS_KEY], nowMs, options.replayWindowSeconds * 1000);
	const fresh: IDataObject[] = [];
	const newIds: string[] = [];
	for (const event of events) {
		const id = eventIdOf(event);
		if (id !== undefined) {
			if (hasSeen(seen, id) || newIds.includes(id)) continue;
			newIds.push(id);
		}
		fresh.push(event);
	}
	if (newIds.length) {
		// Assigned, not mutated, so n8n notices the change and saves it with the workflow.
		staticData[SEEN_EVENTS_KEY] = rememberEvents(seen, newIds, nowMs);
	}
	return fresh;
}

async function handleDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const options = readOptions.call(this);
	const secret = await loadSecret.call(this);
	const headers = this.getHeaderData() as IDataObject;
	const nowMs = Date.now();

	const typeProblem = contentTypeProblem(singleHeader(headers, 'content-type'));
	if (typeProblem) return badRequest.call(this, typeProblem);

	const rawBody = rawBodyOf(this.getRequestObject() as WebhookRequest | undefined);
	if (rawBody && options.maxBodyBytes > 0 && rawBody.length > options.maxBodyBytes) {
		return badRequest.call(this, `The body is larger than ${options.maxBodyBytes / 1024} KB`);
	}

	if (secret !== undefined && !isAuthentic(headers, rawBody, secret, options, nowMs)) {
		return unauthorized.call(this);
	}

	// Unsigned deliveries may fall back to the body n8n parsed when it kept no raw bytes.
	const parsed: Parsed = rawBody ? eventsFromRawBody(rawBody) : eventsFromJson(this.getBodyData());
	if ('problem' in parsed) return badRequest.call(this, parsed.problem);

	const filter = buildFilter(
		this.getNodeParameter('events', []),
		this.getNodeParameter('customEvents', ''),
		this.getNodeParameter('experienceIds', ''),
	);
	const wanted = parsed.events.filter((event) => passesFilter(event, filter));
	const events = dropDuplicates.call(this, wanted, options, nowMs);
	// Filtered out or already delivered: acknowledged, so Appcues does not retry, and no run starts.
	if (!events.length) return reply.call(this, 200);

	const verified = secret !== undefined;
	const items: INodeExecutionData[] = events.map((event) => ({
		json: options.includeHeaders ? { body: event, headers: { ...headers }, verified } : event,
	}));
	return { workflowData: [items] };
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

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

export const REGION_BASE_URLS = {
	us: 'https://api.appcues.com',
	eu: 'https://api.eu.appcues.com',
} as const;

/** The account tools service (the tool set of Appcues' hosted MCP server, over plain HTTP). */
export const REGION_TOOLS_URLS = {
	us: 'https://mcp.appcues.com',
	eu: 'https://mcp.eu.appcues.com',
} as const;

/** Where the account tools live below their origin: `GET /v1/tools`, `POST /v1/tools/{name}`. */
export const TOOLS_PATH = '/v1/tools';

export interface AppcuesCredentials {
	apiKey: string;
	apiSecret: string;
	accountId: string;
	region: 'us' | 'eu' | 'custom';
	baseUrl?: string;
	toolsBaseUrl?: string;
	webhookSecret?: string;
	legacyApiKey?: string;
}

function originFor(
	credentials: ICredentialDataDecryptedObject,
	known: { us: string; eu: string },
	customField: 'baseUrl' | 'toolsBaseUrl',
): string | undefined {
	const region = String(credentials.region ?? 'us');
	if (region === 'custom') {
		const url = String(credentials[customField] ?? '').trim();
		return url ? url.replace(/\/+$/, '') : undefined;
	}
	return region === 'eu' ? known.eu : known.us;
}

/** Returns undefined when the region is custom and no base URL is set. */
export function baseUrlFor(credentials: ICredentialDataDecryptedObject): string | undefined {
	return originFor(credentials, REGION_BASE_URLS, 'baseUrl');
}

/** The account tools origin; undefined when the region is custom and no Tools Base URL is set. */
export function toolsBaseUrlFor(credentials: ICredentialDataDecryptedObject): string | undefined {
	return originFor(credentials, REGION_TOOLS_URLS, 'toolsBaseUrl');
}

/** The origin of a URL, or undefined when it is none. */
function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/**
 * Whether a request goes to the account tools of this credential, so that it carries the key and
 * secret in the `appcues-api-key` header, as Appcues' CLI sends them, and never as Basic auth:
 * below `/v1/tools` of the tools origin, and anywhere else on that origin unless the API shares it
 * (a custom proxy serving both, where the path tells them apart).
 */
export function isToolsRequest(credentials: ICredentialDataDecryptedObject, url: string): boolean {
	const base = toolsBaseUrlFor(credentials);
	if (!base) return false;
	let target: URL;
	let tools: URL;
	try {
		target = new URL(url);
		tools = new URL(base);
	} catch {
		return false;
	}
	if (target.origin !== tools.origin) return false;
	const prefix = `${tools.pathname.replace(/\/+$/, '')}${TOOLS_PATH}`;
	if (target.pathname === prefix || target.pathname.startsWith(`${prefix}/`)) return true;
	const api = baseUrlFor(credentials);
	return !api || originOf(api) !== tools.origin;
}

/** Hosts that never leave the machine, where plain http cannot expose the secret on a network. */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	// The URL parser has already normalised IPv4 forms such as 127.1 or 0x7f.0.0.1.
	return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Why a custom Base URL cannot be used, or undefined when it can. Plain http sends the API secret
 * unencrypted, so it is refused unless the host is loopback (a local proxy or test server).
 */
export function baseUrlProblem(baseUrl: string, field = 'Base URL'): string | undefined {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return (
			`The ${field} in the Appcues credential is not a valid URL (e.g. ` +
			'https://appcues-proxy.example.com)'
		);
	}
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		return (
			`The ${field} in the Appcues credential uses plain http to ${url.host}, which would ` +
			'send the API secret unencrypted: use https (plain http is allowed only for localhost, ' +
			'127.0.0.0/8 and [::1])'
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		return `The ${field} in the Appcues credential must start with https:// (it uses ${url.protocol})`;
	// Every request's path is appended to the Base URL as written: a query or fragment would swallow it.
	if (/[?#]/.test(baseUrl)) {
		return (
			`The ${field} in the Appcues credential ends in a query (?…) or fragment (#…), which ` +
			'the path of every request would be appended to: remove it'
		);
	}
	if (url.username || url.password) {
		return (
			`The ${field} in the Appcues credential has a user name or password in it: remove them ` +
			'(the API key and secret are sent in the Authorization header)'
		);
	}
	return undefined;
}

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

export const REGION_BASE_URLS = {
	us: 'https://api.appcues.com',
	eu: 'https://api.eu.appcues.com',
} as const;

export interface AppcuesCredentials {
	apiKey: string;
	apiSecret: string;
	accountId: string;
	region: 'us' | 'eu' | 'custom';
	baseUrl?: string;
	webhookSecret?: string;
	legacyApiKey?: string;
}

/** Returns undefined when the region is custom and no base URL is set. */
export function baseUrlFor(credentials: ICredentialDataDecryptedObject): string | undefined {
	const region = String(credentials.region ?? 'us');
	if (region === 'custom') {
		const url = String(credentials.baseUrl ?? '').trim();
		return url ? url.replace(/\/+$/, '') : undefined;
	}
	return region === 'eu' ? REGION_BASE_URLS.eu : REGION_BASE_URLS.us;
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
export function baseUrlProblem(baseUrl: string): string | undefined {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return 'The Base URL in the Appcues credential is not a valid URL (e.g. https://appcues-proxy.example.com)';
	}
	if (url.protocol === 'https:') return undefined;
	if (url.protocol === 'http:') {
		if (isLoopbackHost(url.hostname)) return undefined;
		return `The Base URL in the Appcues credential uses plain http to ${url.host}, which would send the API secret unencrypted: use https (plain http is allowed only for localhost, 127.0.0.0/8 and [::1])`;
	}
	return `The Base URL in the Appcues credential must start with https:// (it uses ${url.protocol})`;
}

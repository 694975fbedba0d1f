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

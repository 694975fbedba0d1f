import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { isToolsRequest } from '../nodes/Appcues/transport/region';

/**
 * True (in an n8n expression) when the credential would send its secret unencrypted (a custom
 * Base URL that is not https, unless it is plain http to a loopback host), or where its path would
 * be lost (a query or fragment) or with a user name and password in the URL. The node checks the
 * same at run time (`transport/region.ts`).
 */
const UNSAFE_BASE_URL =
	'$credentials.region === "custom" && ((!/^\\s*https:\\/\\//i.test(String($credentials.baseUrl)) && !/^\\s*http:\\/\\/(localhost|127(\\.\\d{1,3}){3}|\\[::1\\])(:\\d+)?([\\/?#]|\\s*$)/i.test(String($credentials.baseUrl))) || /[?#]|^\\s*[^:\\/?#]+:\\/\\/[^\\/?#]*@/.test(String($credentials.baseUrl)))';

/**
 * n8n has no rule that refuses a request before it is sent, so an unsafe Base URL turns the test
 * request into a `data:` URL (answered locally, nothing leaves n8n) whose one-character body the
 * last rule below recognises: an API answer is JSON, never one character long.
 */
const REFUSED_BODY = 'x';
const REFUSED_TEST_URL = `data:,${REFUSED_BODY}`;

const REFUSED_BASE_URL_MESSAGE =
	'The Base URL must use https: plain http would send the API secret unencrypted, so it is ' +
	'allowed only for localhost, 127.0.0.0/8 and [::1]. It must not have a query (?…), a ' +
	'fragment (#…) or a user name and password in it.';

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * The body is read as text, so its first character is `body[0]`: Appcues answers JSON (`[` or
 * `{`), a web page (a website or a login portal at the Base URL) starts with `<`.
 */
const WEB_PAGE_RULE: IAuthenticateRuleResponseSuccessBody = {
	type: 'responseSuccessBody',
	properties: {
		key: '0',
		value: '<',
		message:
			'The Base URL answered with a web page (HTML or XML), not with the Appcues API. Check the ' +
			'Region and the Base URL: it is the API origin (https://api.appcues.com or ' +
			'https://api.eu.appcues.com, or a proxy in front of it), not Appcues Studio.',
	},
};

export class AppcuesApi implements ICredentialType {
	name = 'appcuesApi';

	displayName = 'Appcues API';

	icon: Icon = { light: 'file:../icons/appcues.svg', dark: 'file:../icons/appcues.dark.svg' };

	documentationUrl =
		'https://github.com/PUBLISHER_FILLS_IN/n8n-nodes-appcues/blob/HEAD/docs/credential.md';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Created in Appcues Studio under Settings > Integrations > API Keys',
		},
		{
			displayName: 'API Secret',
			name: 'apiSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Shown only once, when the API key is created in Appcues Studio',
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 12345',
			description: 'Shown in Appcues Studio under Settings > Account',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'US (api.appcues.com)', value: 'us' },
				{ name: 'EU (api.eu.appcues.com)', value: 'eu' },
				{ name: 'Custom Base URL', value: 'custom' },
			],
			default: 'us',
			description:
				'Where your Appcues account lives. Keys are per region: a US key does not work on the EU API.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://appcues-proxy.example.com',
			description: 'Base URL of a proxy or test server that serves the Appcues API paths',
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'Tools Base URL',
			name: 'toolsBaseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://appcues-tools-proxy.example.com',
			description:
				'Base URL of a proxy or test server that serves the account tools (Appcues serves them ' +
				'at mcp.appcues.com in the US and mcp.eu.appcues.com in the EU). Only the Account ' +
				'Tool operations use it.',
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. The account secret key set in Appcues Studio under Settings > Integrations > ' +
				'Webhooks. The Appcues Trigger uses it to reject deliveries that were not signed by ' +
				'Appcues.',
		},
		{
			displayName: 'Legacy API Key',
			name: 'legacyApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. The legacy (v1) API key from Appcues Studio under Settings > Integrations > ' +
				'API Keys, used only by the legacy v1 calls',
		},
	];

	/**
	 * Basic auth with key and secret, as the Public API asks. The account tools take the same
	 * base64("key:secret") in the `appcues-api-key` header instead (as Appcues' CLI sends it), so a
	 * request to them carries that header and no Authorization. An own property, not a method: n8n
	 * copies credential types with a spread, which would drop a method (and with it the HTTP
	 * Request node's use of this credential and the Custom API Call entry).
	 */
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const apiKey = String(credentials.apiKey ?? '');
		const apiSecret = String(credentials.apiSecret ?? '');
		const url = requestOptions.baseURL
			? `${requestOptions.baseURL}${requestOptions.url}`
			: requestOptions.url;
		if (isToolsRequest(credentials, url)) {
			return {
				...requestOptions,
				headers: {
					...requestOptions.headers,
					'appcues-api-key': Buffer.from(`${apiKey}:${apiSecret}`).toString('base64'),
				},
			};
		}
		return { ...requestOptions, auth: { username: apiKey, password: apiSecret } };
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				`={{${UNSAFE_BASE_URL} ? "" : $credentials.region === "custom" ? ` +
				'String($credentials.baseUrl).replace(/\\/+$/, "") : ($credentials.region === "eu" ? ' +
				'"https://api.eu.appcues.com" : "https://api.appcues.com")}}',
			url:
				`={{${UNSAFE_BASE_URL} ? "${REFUSED_TEST_URL}" : "/v2/accounts/" + ` +
				'encodeURIComponent(String($credentials.accountId).trim()) + "/tags"}}',
			method: 'GET',
			// Read as text, so that the body rule below sees the answer as one string.
			encoding: 'text',
			// Appcues' API never redirects: the credentials must not follow one.
			disableFollowRedirect: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Appcues rejected the API key and secret (401). Check both, and that the Region ' +
						'matches where the key was created: US keys do not work on the EU API and EU ' +
						'keys do not work on the US API.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key and secret are valid, but they do not give access to this Account ID ' +
						'(403). Check the Account ID in Appcues Studio under Settings > Account.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No Appcues account with this Account ID was found in this region (404). Check the ' +
						'Account ID and the Region.',
				},
			},
			...REDIRECT_STATUSES.map((status): IAuthenticateRuleResponseCode => ({
				type: 'responseCode',
				properties: {
					value: status,
					message:
						`The server answered with a redirect (${status}), which is not followed: the ` +
						'Appcues API does not redirect. Check the Region and the Base URL.',
				},
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'length',
					value: REFUSED_BODY.length,
					message: REFUSED_BASE_URL_MESSAGE,
				},
			},
			WEB_PAGE_RULE,
		] as Array<
			IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody
		> as ICredentialTestRequest['rules'],
	};
}

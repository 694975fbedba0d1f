/** n8n's REST API for what the browser test sets up without clicking: the owner and a credential. */

export const OWNER = {
	email: 'owner@example.com',
	password: 'Sandbox-Owner-1',
	firstName: 'Ada',
	lastName: 'Owner',
};

/** Creates the owner account (first visit) or logs in; returns the n8n-auth cookie value. */
export async function ownerCookie(base: string): Promise<string> {
	const settings = (await (await fetch(`${base}/rest/settings`)).json()) as {
		data: { userManagement: { showSetupOnFirstLoad: boolean } };
	};
	const [path, body] = settings.data.userManagement.showSetupOnFirstLoad
		? ['/rest/owner/setup', OWNER]
		: ['/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password }];
	const response = await fetch(base + path, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (response.status !== 200)
		throw new Error(`${path}: ${response.status} ${await response.text()}`);
	const token = /n8n-auth=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
	if (!token) throw new Error(`${path}: no n8n-auth cookie`);
	return token;
}

export async function rest<T>(
	base: string,
	cookie: string,
	method: string,
	path: string,
	body?: unknown,
): Promise<T> {
	const response = await fetch(base + path, {
		method,
		headers: {
			cookie: `n8n-auth=${cookie}`,
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
	return (text ? (JSON.parse(text) as { data: T }).data : undefined) as T;
}

/** Setup helpers shared by several test files (each was written once in the file it came from). */
import {
	createServer,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { INode, INodeParameters } from 'n8n-workflow';

import { DEFAULT_ACCOUNT } from '../fake-appcues/server';
import { basicAuth, credentialsFor, type TestContext, type useFakeAppcues } from './helpers';

/** A bare node, for code that only needs one to name in an expression or an error. */
export const plainNode: INode = {
	id: 'n',
	name: 'n',
	type: 'test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** An analytics query spec (Query (JSON)) the fake answers with rows. */
export const ANALYTICS_SPEC = JSON.stringify({
	columns: ['timestamp', 'user_id', 'name'],
	start_time: '2026-01-01',
	end_time: '2026-01-31',
});

/** A resource locator parameter in "By ID" mode. */
export const byId = (value: string) => ({ __rl: true, mode: 'id', value });

export function seedSegment(
	t: ReturnType<typeof useFakeAppcues>,
	id: string,
	name: string,
	userIds: string[] = [],
) {
	t.fake.state().segments.set(id, {
		id,
		name,
		description: null,
		created_at: '2026-01-01T00:00:00Z',
		updated_at: '2026-01-01T00:00:00Z',
		user_ids: new Set<string>(userIds),
	});
}

/** The default account's secrets as they could leak: the API secret, the legacy key, the Basic auth token. */
export const SECRETS = [
	DEFAULT_ACCOUNT.apiSecret,
	DEFAULT_ACCOUNT.legacyApiKey!,
	basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret).slice('Basic '.length),
];

/** A plain local HTTP server on a free port, recording what it receives; `close` also ends stalled connections. */
export async function localServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
	const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];
	const sockets = new Set<Socket>();
	const server = createServer((req, res) => {
		received.push({ method: req.method, url: req.url, headers: req.headers });
		handler(req, res);
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		received,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((done) => server.close(() => done()));
		},
	};
}

/**
 * Runs the node with a local server in Appcues' place (the credential's custom Base URL), for
 * answers the fake never gives, and closes the server after. Returns the run, the server's URL and
 * the requests it received.
 */
export async function runAgainstServer(
	t: TestContext,
	handler: (req: IncomingMessage, res: ServerResponse) => void,
	parameters: INodeParameters,
	extra: Omit<NonNullable<Parameters<TestContext['run']>[1]>, 'credentials'> = {},
) {
	const server = await localServer(handler);
	try {
		const credentials = { ...credentialsFor(t.fake), baseUrl: server.url };
		const result = await t.run(parameters, { ...extra, credentials });
		return { result, url: server.url, received: server.received };
	} finally {
		await server.close();
	}
}

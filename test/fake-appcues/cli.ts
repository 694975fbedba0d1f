/**
 * Runs the fake Appcues API as its own process: the sandbox of `npm run dev` and the server of
 * the end-to-end suite.
 *
 *   tsx test/fake-appcues/cli.ts [--port 0] [--seed demo|none] [--rate-limit 60] [--latency 0]
 *     [--job-polls 2] [--status-style string|numeric] [--max-body-bytes N] [--max-file-bytes N]
 *     [--analytics-rows N]
 *
 * The same settings can be changed while it runs: POST /__fake/settings, POST /__fake/jobs.
 *
 * Prints one JSON line {"url", "accounts"} once it listens; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';

import { seedDemoData } from './seed';
import { DEFAULT_ACCOUNT, FakeAppcues } from './server';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '0' },
		seed: { type: 'string', default: 'demo' },
		'rate-limit': { type: 'string', default: '60' },
		latency: { type: 'string', default: '0' },
		'job-polls': { type: 'string' },
		'status-style': { type: 'string' },
		'max-body-bytes': { type: 'string' },
		'max-file-bytes': { type: 'string' },
		'analytics-rows': { type: 'string' },
		'account-id': { type: 'string', default: DEFAULT_ACCOUNT.accountId },
		'api-key': { type: 'string', default: DEFAULT_ACCOUNT.apiKey },
		'api-secret': { type: 'string', default: DEFAULT_ACCOUNT.apiSecret },
		'legacy-api-key': { type: 'string', default: DEFAULT_ACCOUNT.legacyApiKey },
	},
});

function optionalNumber(value: string | undefined) {
	return value === undefined ? undefined : Number(value);
}

const account = {
	accountId: values['account-id']!,
	apiKey: values['api-key']!,
	apiSecret: values['api-secret']!,
	legacyApiKey: values['legacy-api-key'],
};

const fake = new FakeAppcues({
	accounts: [account],
	rateLimitPerSecond: Number(values['rate-limit']),
	latencyMs: Number(values.latency),
	jobPollsToFinish: optionalNumber(values['job-polls']),
	statusStyle: values['status-style'] === 'numeric' ? 'numeric' : undefined,
	maxBodyBytes: optionalNumber(values['max-body-bytes']),
	maxFileBytes: optionalNumber(values['max-file-bytes']),
	analyticsRows: optionalNumber(values['analytics-rows']),
	seed: values.seed === 'demo' ? seedDemoData : undefined,
});

void fake.start(Number(values.port)).then((url) => {
	process.stdout.write(`${JSON.stringify({ url, accounts: [account.accountId] })}\n`);
});

const stop = async () => {
	await fake.close();
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

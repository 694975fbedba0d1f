/**
 * A foreign client of the same Appcues account (the throughput case "foreign"): another integration
 * that takes a fixed share of the account's limit, whatever the answers. Runs as its own process
 * beside the fake Appcues API while the benchmark runs the Appcues node.
 *
 *   tsx bench/lib/foreign-client.ts --url http://127.0.0.1:PORT --account 12345 --key K --secret S --rate 30
 *
 * Sends GET /v2/accounts/<account>/tags at an even `rate` per second, not waiting for answers
 * (as a client with its own pacing would), and never retries. Prints one JSON line once it
 * sends ({"started": true}) and, on SIGTERM, one with what it got: {"ok", "throttled", "other"}.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
	options: {
		url: { type: 'string' },
		account: { type: 'string' },
		key: { type: 'string' },
		secret: { type: 'string' },
		rate: { type: 'string', default: '30' },
	},
});
const { url, account, key, secret } = values;
if (!url || !account || !key || !secret) {
	process.stderr.write('foreign-client: --url, --account, --key and --secret are required\n');
	process.exit(2);
}
const rate = Number(values.rate);
const target = `${url}/v2/accounts/${encodeURIComponent(account)}/tags`;
const authorization = `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

const counts = { ok: 0, throttled: 0, other: 0 };
const started = Date.now();
let sent = 0;

async function send(): Promise<void> {
	try {
		const res = await fetch(target, {
			headers: { authorization },
			signal: AbortSignal.timeout(10_000),
		});
		await res.arrayBuffer();
		if (res.status === 429) counts.throttled++;
		else if (res.ok) counts.ok++;
		else counts.other++;
	} catch {
		counts.other++;
	}
}

// Catch up on the schedule (timers drift), so the rate holds on a busy machine.
const timer = setInterval(() => {
	const due = Math.floor(((Date.now() - started) / 1000) * rate);
	while (sent < due) {
		sent++;
		void send();
	}
}, 5);

process.stdout.write(`${JSON.stringify({ started: true })}\n`);
process.on('SIGTERM', () => {
	clearInterval(timer);
	process.stdout.write(
		`${JSON.stringify({ ...counts, sent, seconds: (Date.now() - started) / 1000 })}\n`,
	);
	process.exit(0);
});

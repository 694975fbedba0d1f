/**
 * Preloaded into the `n8n execute` process by bench:profile (`node --require`): records each
 * garbage collection's pause and each HTTP request Node creates, with their times on the wall
 * clock (the run data's and the fake's), and writes them as JSON lines to the file named by
 * BENCH_START_WATCH when the process exits (no file I/O while n8n runs). Read back by
 * bench/profile-start.ts; it never changes what n8n does.
 */
'use strict';

const { writeFileSync } = require('node:fs');
const { PerformanceObserver, performance } = require('node:perf_hooks');
const diagnostics = require('node:diagnostics_channel');

const file = process.env.BENCH_START_WATCH;
if (file) {
	const lines = [];
	const record = (entry) => lines.push(JSON.stringify(entry));
	process.on('exit', () => writeFileSync(file, lines.map((line) => `${line}\n`).join('')));
	new PerformanceObserver((list) => {
		for (const gc of list.getEntries())
			record({ gc: performance.timeOrigin + gc.startTime, ms: gc.duration });
	}).observe({ entryTypes: ['gc'] });
	diagnostics.subscribe('http.client.request.start', ({ request }) =>
		record({ request: performance.timeOrigin + performance.now(), path: request.path }),
	);
}

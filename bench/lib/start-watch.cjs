/**
 * Preloaded into the `n8n execute` process by bench:profile (`node --require`): records, as JSON
 * lines in the file named by BENCH_START_WATCH, each garbage collection's pause and each HTTP
 * request Node creates, with their times on the wall clock (the run data's and the fake's).
 * Read back by bench/profile-start.ts; it never changes what n8n does.
 */
'use strict';

const { appendFileSync } = require('node:fs');
const { PerformanceObserver, performance } = require('node:perf_hooks');
const diagnostics = require('node:diagnostics_channel');

const file = process.env.BENCH_START_WATCH;
if (file) {
	const record = (entry) => appendFileSync(file, `${JSON.stringify(entry)}\n`);
	new PerformanceObserver((list) => {
		for (const gc of list.getEntries())
			record({ gc: performance.timeOrigin + gc.startTime, ms: gc.duration });
	}).observe({ entryTypes: ['gc'] });
	diagnostics.subscribe('http.client.request.start', ({ request }) =>
		record({ request: performance.timeOrigin + performance.now(), path: request.path }),
	);
}

/** `npm run schemas`: writes nodes/Appcues/__schema__/v1.0.0/<resource>/<operation>.json (see test/schemas). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { buildOutputSchemas, SCHEMA_DIR } from '../test/schemas/output-schemas';

async function main() {
	const schemas = await buildOutputSchemas();
	rmSync(SCHEMA_DIR, { recursive: true, force: true });
	for (const [path, schema] of Object.entries(schemas)) {
		const file = join(SCHEMA_DIR, `${path}.json`);
		mkdirSync(dirname(file), { recursive: true });
		writeFileSync(file, `${JSON.stringify(schema, null, '\t')}\n`);
	}
	process.stdout.write(`wrote ${Object.keys(schemas).length} output schemas to ${SCHEMA_DIR}\n`);
}

// n8n-core leaves timers behind; the work is done.
main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${String(error)}\n`);
		process.exit(1);
	},
);

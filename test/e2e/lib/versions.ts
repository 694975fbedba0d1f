/**
 * Which n8n versions the e2e suite runs against: env `N8N_E2E_VERSIONS`, a comma- or
 * space-separated list (`2.8.4`, `2.41.1`, `2.8.4,2.41.1`), or `all` / unset for every version.
 * An unknown version is an error, so a typo never silently runs nothing.
 */
import { N8N_VERSIONS, type N8nVersion } from './n8n';

export function selectedVersions(
	value: string | undefined = process.env.N8N_E2E_VERSIONS,
): N8nVersion[] {
	const wanted = (value ?? '')
		.split(/[\s,]+/)
		.map((part) => part.trim())
		.filter(Boolean);
	if (wanted.length === 0 || (wanted.length === 1 && wanted[0].toLowerCase() === 'all'))
		return [...N8N_VERSIONS];
	const unknown = wanted.filter((v) => !(N8N_VERSIONS as readonly string[]).includes(v));
	if (unknown.length) {
		throw new Error(
			`N8N_E2E_VERSIONS: unknown n8n version(s) ${unknown.join(', ')}; use one or more of ${N8N_VERSIONS.join(', ')}, or "all"`,
		);
	}
	// Keep the suite's own order (oldest first), without duplicates.
	return N8N_VERSIONS.filter((v) => wanted.includes(v));
}

/**
 * The registry suite: the package published to a local npm registry (Verdaccio) and installed
 * into real n8n through Settings > Community Nodes (headless Chromium), from the command line,
 * and in queue mode.
 *
 *   npm run test:registry
 *
 * Screenshots go to test/registry/screenshots/ (gitignored); N8N_E2E_KEEP=1 keeps n8n's and the
 * registry's folders (kept anyway for a failed test), N8N_E2E_VERSIONS picks the n8n versions.
 */
import { realN8nSuite } from '../support/real-n8n-suite.config.mts';

export default realN8nSuite('test/registry/**/*.registry.ts');

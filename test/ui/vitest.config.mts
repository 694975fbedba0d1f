/**
 * The browser test: real n8n 2.41.1 with the dev sandbox, driven in headless Chromium.
 *
 *   npm run test:ui      # build, install Debian's chromium if missing, run
 *
 * Screenshots of every step go to test/ui/screenshots/ (gitignored). UI_KEEP=1 keeps n8n's
 * folder (logs, database) of a run; it is kept anyway when a test fails.
 */
import { realN8nSuite } from '../support/real-n8n-suite.config.mts';

export default realN8nSuite('test/ui/**/*.ui.ts');

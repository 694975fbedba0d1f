// The part of n8n's verification scanner (@n8n/scan-community-package, plain JavaScript) that
// scripts/release-check.ts runs.
declare module '@n8n/scan-community-package/scanner/scanner.mjs' {
	export interface ScanResult {
		passed: boolean;
		message?: string;
		details?: string;
	}
	/** ESLint with n8n's rule set over the files of `dir` matching `patterns` (default: every .js, .ts, .json). */
	export function analyzePackage(dir: string, patterns?: string[]): Promise<ScanResult>;
	/** The source files verification lints: package.json and nodes/, credentials/. */
	export const SOURCE_FILE_PATTERNS: string[];
}

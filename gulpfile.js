// Copies what tsc does not emit: icons (top-level icons/ and any next to nodes/credentials)
// and the codex JSON files, so every `file:` icon path in dist/ resolves.
const { src, dest, parallel } = require('gulp');

// gulp 5 decodes files as utf8 by default, which corrupts PNGs; keep bytes as they are.
const binarySafe = { encoding: false };

function copyIcons() {
	return src(['icons/**/*.{png,svg}', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		...binarySafe,
		base: '.',
	}).pipe(dest('dist/'));
}

function copyCodex() {
	return src(['nodes/**/*.node.json'], { base: '.' }).pipe(dest('dist/'));
}

// Output schemas n8n's editor previews (nodes/Appcues/__schema__, written by `npm run schemas`).
function copySchemas() {
	return src(['nodes/**/__schema__/**/*.json'], { base: '.' }).pipe(dest('dist/'));
}

exports['build:icons'] = parallel(copyIcons, copyCodex, copySchemas);
exports.default = exports['build:icons'];

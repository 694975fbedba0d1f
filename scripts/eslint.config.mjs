// Lint rules for this folder: ../eslint.support.config.mjs (see CONTRIBUTING.md, "Lint").
export { default } from '../eslint.support.config.mjs';

// The harness moved to test/support/run-node.ts. bench/bulk-import.ts still imports it from here;
// this re-export goes once that import line points at test/support.
export * from '../support/run-node';

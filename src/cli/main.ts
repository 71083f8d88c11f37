/**
 * Process entry point (run by bin/agent-team.js, bundled into dist/bundle/agent-team.cjs by the build):
 * run the CLI and set the exit code. No top-level await, so the same file bundles as CommonJS.
 */
import { EXIT } from '../errors.js';
import { runCli } from './program.js';

process.on('SIGINT', () => process.exit(EXIT.interrupted));
process.on('SIGTERM', () => process.exit(EXIT.interrupted));
void runCli(process.argv).then((code) => {
  process.exitCode = code;
});

/** Process entry point (imported by bin/agent-team.js): run the CLI and set the exit code. */
import { EXIT } from '../errors.js';
import { runCli } from './program.js';

process.on('SIGINT', () => process.exit(EXIT.interrupted));
process.on('SIGTERM', () => process.exit(EXIT.interrupted));
process.exitCode = await runCli(process.argv);

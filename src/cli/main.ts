/**
 * Process entry point (run by bin/agent-team.js, bundled into dist/bundle/agent-team.cjs by the build):
 * run the CLI and set the exit code. No top-level await, so the same file bundles as CommonJS.
 * SIGINT/SIGTERM exit 130 through the error funnel (one JSON document with --json), after any critical
 * section (a merge and its abort) has finished, and not at all once the outcome is printed.
 */
import { AgentTeamError, EXIT } from '../errors.js';
import { runOrDefer } from '../store/critical-section.js';
import { interruptHint } from './interrupt-hint.js';
import { reportError, runCli, type CliOutcome } from './program.js';

/** Process-wide: whether this process's one CLI invocation has printed its outcome (read by the signal handler below). */
const outcome: CliOutcome = { reported: false };

const interrupt = () =>
  runOrDefer(() => {
    if (outcome.reported) return; // printed and exiting: the printed outcome stands
    reportError(new AgentTeamError('interrupted', EXIT.interrupted, { code: 'interrupted', hint: interruptHint(process.argv.slice(2)) }), { json: process.argv.includes('--json'), debug: false });
    process.exit(EXIT.interrupted);
  });
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
// Exit at once when the outcome is printed: letting the event loop drain would first close the signal
// handles, and a signal in that window (measured: 1 in 24 sent the moment stdout showed the result) then
// killed a process whose write had succeeded. process.exit keeps them to the end.
void runCli(process.argv, outcome).then((code) => {
  process.exit(code);
});

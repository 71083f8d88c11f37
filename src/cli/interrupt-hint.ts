/**
 * What the exit-130 document (SIGINT/SIGTERM) tells the user to run next, from the interrupted command
 * line. An interrupt waits for a critical section (a merge, a task being typed into an agent) to finish,
 * so what was interrupted is whole: `workflow run` (and `workflow state next`) goes on where it stopped when run again (a task whose
 * delivery was never confirmed is finished then, exactly once); `worker assign` shows in `worker status`
 * whether its task arrived; anything else left behind is found by `doctor`.
 */
import { agentTeam } from '../workflow/shell-quote.js';

/** One command line (safe to paste into bash) for the hint of an interrupted `args` (`process.argv.slice(2)`); never with `--yes`. */
export function interruptHint(args: readonly string[]): string {
  const words = args.filter((a) => !a.startsWith('-'));
  // both only read or go on from the run-state: the same line again is what to run, without --yes: the
  // interrupted call may have reached a merge nobody has seen, and a pasted line must not approve it
  if (words[0] === 'workflow' && (words[1] === 'run' || (words[1] === 'state' && words[2] === 'next'))) return agentTeam(...args.filter((a) => a !== '--yes'));
  if (words[0] === 'worker' && words[1] === 'assign' && words[2]) return agentTeam('worker', 'status');
  return agentTeam('doctor');
}

/** Worker-side commands (`init`, `role`, `worker …`, `reply`, `reply-main`, `skill`). */
import type { Command } from 'commander';

/** The top-level worker-side commands, attached to the program with `.addCommand()`. */
export function makeWorkerCommands(): Command[] {
  return [];
}

/** `agent-team doctor [--fix]`: what crashes and hand edits left behind, explained and safely repaired. */
import { Command } from 'commander';
import { lazy } from '../lazy.js';
import { jsonOption } from '../options.js';

/** `agent-team doctor`. */
export function makeDoctorCommand(): Command {
  return new Command('doctor')
    .description('Find stale locks, orphan temp files, reserved worker-id folders, workers whose worktree or branch was removed by hand, stale MERGE_HEAD, a merge killed half-way, the integration branch of a killed merge train, runs whose template is missing or changed')
    .option('--fix', 'repair what can be repaired without losing anything (each repair is listed)')
    .addOption(jsonOption())
    .addHelpText('after', '\nExit codes: 0 nothing wrong (or all fixed), 1 findings remain.\n\nExample:\n  agent-team doctor --fix')
    .action(lazy(() => import('../handlers/doctor.js'), 'doctor'));
}

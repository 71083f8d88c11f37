/** `agent-team skill install`: copy the shipped skills where a provider looks for them. */
import { Command, Option } from 'commander';
import { lazy } from '../lazy.js';
import { jsonOption } from '../options.js';

/** `agent-team skill` with its subcommands. */
export function makeSkillCommand(): Command {
  const skill = new Command('skill').description('The controller and worker skills shipped with agent-team');
  skill
    .command('install')
    .description('Copy skills/agent-team and skills/worker-reply-main to the provider\'s skills folder')
    .addOption(new Option('--provider <provider>', 'whose folder').choices(['claude', 'codex', 'gemini', 'opencode']).default('claude'))
    .option('--global', 'install in the home folder instead of the project')
    .addOption(jsonOption())
    .action(lazy(() => import('../handlers/skill.js'), 'install'));
  return skill;
}

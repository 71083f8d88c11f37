/** `agent-team trust [dir] [--list | --revoke]`: approve the commands a project's templates and config run. */
import { Command } from 'commander';
import { lazy } from '../lazy.js';
import { jsonOption } from '../options.js';

/** `agent-team trust`. */
export function makeTrustCommand(): Command {
  return new Command('trust')
    .description('Trust this repository to run the commands in its workflow templates (command:) and .agents/config.yaml (providers:)')
    .argument('[dir]', 'a folder inside the repository (default: the current folder)')
    .option('--list', 'list the trusted repositories')
    .option('--revoke', 'stop trusting the repository')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe record (the repository\'s path and a hash of those commands) is kept in $AGENT_TEAM_HOME/trust.yaml (default ~/.agents/trust.yaml, next to the global roles).\nWhen a command is added or edited, workflow run and worker open stop again until you trust the new list. --yes never implies trust.',
    )
    .action(lazy(() => import('../handlers/trust.js'), 'trust'));
}

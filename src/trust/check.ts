/**
 * The trust gate: before agent-team runs a command that comes from the project (a template `command:`,
 * a launch command from `.agents/config.yaml`), the repository must be trusted with its current
 * commands. Built-in launch commands need no trust. `--yes` never stands in for trust.
 */
import { OperationError } from '../errors.js';
import { shellQuote } from '../shell-quote.js';
import { commandKey, commandsHash, configCommands, describeCommand, projectCommands, TEMPLATES_DIR, type ProjectCommand } from './commands.js';
import { projectKey, trustRecordOf, type TrustRecord } from './store.js';

/** Whether the project is trusted: `untrusted` (no record), `changed` (its commands differ from the record), or `trusted`. */
export interface TrustStatus {
  state: 'trusted' | 'untrusted' | 'changed';
  path: string;
  hash: string;
  commands: ProjectCommand[];
  record?: TrustRecord;
}

/** The trust state of the repository at `root` (reads the templates, the config and the trust file). */
export function trustStatus(root: string, env: NodeJS.ProcessEnv = process.env): TrustStatus {
  const commands = projectCommands(root);
  const hash = commandsHash(commands);
  const record = trustRecordOf(root, env);
  const state = !record ? 'untrusted' : record.hash === hash ? 'trusted' : 'changed';
  return { state, path: projectKey(root), hash, commands, record };
}

/** The config launch command of `provider`, when `.agents/config.yaml` defines or overrides it (built-ins need no trust). */
export function launchCommandsNeedingTrust(root: string, provider: string): ProjectCommand[] {
  return configCommands(root).filter((c) => c.field === `providers.${provider}`);
}

/** The command that trusts the repository at `root`, safe to paste. */
export function trustCommandFor(root: string): string {
  return `agent-team trust ${shellQuote(root)}`;
}

/**
 * Throws OperationError (exit 1) unless every command in `needed` may run: code `untrusted_project`
 * (no record) or `trust_changed` (the project's commands changed since), listing every command trust
 * would approve and the trust command; `template_outside_project` when a needed template command is not
 * under `.agents/workflow/` (trust covers that folder only). Returns at once when `needed` is empty.
 */
export function assertTrusted(root: string, needed: readonly ProjectCommand[], env: NodeJS.ProcessEnv = process.env): void {
  if (needed.length === 0) return;
  const status = trustStatus(root, env);
  const key = (c: ProjectCommand) => JSON.stringify(commandKey(c));
  const known = new Set(status.commands.map(key));
  const outside = needed.filter((c) => !known.has(key(c)));
  if (outside.length > 0) {
    throw new OperationError(`${outside.map(describeCommand).join('; ')}: this template is not under ${TEMPLATES_DIR}/, so agent-team trust cannot approve its commands`, {
      code: 'template_outside_project',
      details: { commands: outside },
      hint: `move the template into ${TEMPLATES_DIR}/ (and point the run-state's workflow_file at it), then: ${trustCommandFor(root)}`,
    });
  }
  if (status.state === 'trusted') return;
  const why =
    status.state === 'untrusted'
      ? `${status.path} is not trusted to run the commands in its templates and .agents/config.yaml`
      : `the commands of ${status.path} changed since you trusted it (${status.record?.trusted_at ?? ''})`;
  const list = status.commands.map((c) => `  ${describeCommand(c)}`).join('\n');
  throw new OperationError(`${why}; nothing was run. Review what trusting it allows:\n${list}`, {
    code: status.state === 'untrusted' ? 'untrusted_project' : 'trust_changed',
    details: { path: status.path, hash: status.hash, commands: status.commands, needed },
    hint: `ask the person to review these commands; only with their yes: ${trustCommandFor(root)}`,
  });
}

/** Worker-side commands: `init`, `role list`, `worker …`, `reply`, `reply-main`. */
import { Command, Option } from 'commander';
import { lazy } from '../lazy.js';
import { jsonOption } from '../options.js';

const init = () => import('../handlers/init.js');
const role = () => import('../handlers/role.js');
const worker = () => import('../handlers/worker.js');
const reply = () => import('../handlers/reply.js');

/** `agent-team worker` with its subcommands. */
export function makeWorkerCommand(): Command {
  const cmd = new Command('worker').description('Workers: one role instance each, with its own branch team/<id>, worktree .worktrees/<id> and pane');

  cmd
    .command('create')
    .description('Create a worker config for a role (the worktree is made by `worker open`); prints the id <role>-NNN')
    .argument('<role>', 'role name (.agents/teams/<role>/ or ~/.agents/roles/<role>/)')
    .argument('[provider]', 'the Go spelling of --provider (agent-team worker create <role> [provider])')
    .option('-p, --provider <provider>', 'agent CLI to run: claude, codex, opencode, gemini or one from .agents/config.yaml (default: default_provider there, else claude)')
    .option('-m, --model <model>', 'model passed as --model')
    .option('-y, --yes', 'use a global role without asking')
    .option('--fresh', 'start a new agent conversation (a new worker always does); Go: re-install the worker\'s skills ignoring a cache, which agent-team does at every `worker open`')
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  agent-team worker create vite-react-dev --provider codex\n  agent-team worker create vite-react-dev codex      (Go spelling)')
    .action(lazy(worker, 'create'));

  cmd
    .command('open')
    .description('Create the worktree if needed, install the role prompt, spawn the pane and start the provider')
    .argument('<id>', 'worker id')
    .option('-p, --provider <provider>', 'switch provider (saved to worker.yaml)')
    .option('-m, --model <model>', 'switch model (saved to worker.yaml)')
    .option('-w, --new-window', 'open a new window/tab instead of a detached session or split')
    .option('--fresh', 'start a new agent conversation instead of resuming the recorded one')
    .addOption(jsonOption())
    .addHelpText('after', '\nA worker whose agent stopped resumes its recorded conversation (claude --resume, codex resume, gemini --resume, opencode -s) unless --fresh.')
    .action(lazy(worker, 'open'));

  cmd
    .command('assign')
    .description('Give a worker a change (.tasks/changes/<stamp>-<slug>/) and type it into its pane; opens the worker if needed')
    .argument('<id>', 'worker id')
    .argument('<description>', 'what to do, one line')
    .argument('[provider]', 'when the worker must be opened: switch to this provider (saved to worker.yaml), as in the Go version')
    .option('-p, --proposal <file>', 'proposal.md content from a file, or - for stdin')
    .option('-d, --design <file>', 'design.md content from a file, or - for stdin')
    .option('-m, --model <model>', 'when the worker must be opened: switch to this model (saved to worker.yaml)')
    .option('-w, --new-window', 'when opening: a new window/tab')
    .option('--change <change>', 'give an existing change (.tasks/changes/<name>/) again instead of making a new one, e.g. after the agent restarted')
    .option('--builds-on <branch>', "merge this branch (e.g. another worker's team/<id>) into the worker's branch first (repeatable)", (v: string, all: string[] | undefined) => [...(all ?? []), v])
    .option('--run <state-file>', 'with --node: this assignment resolves that node\'s builds_on conflict (workflow run --wait then waits for its reply)')
    .option('--node <id>', 'with --run: the blocked node')
    .addOption(jsonOption())
    .option('--fresh', 'when opening: start a new agent conversation')
    .addHelpText('after', '\nA worker that is not running gets the task on its launch command line. A running one gets it typed only at ready/idle,\nand it counts only when the agent confirms it.\nExit codes: 0 assigned, 1 not delivered (dialog, exit, no confirmation in time: the change is removed, the pane\'s last lines shown),\nor could not bring an idle worker up to your branch (conflict, aborted).')
    .action(lazy(worker, 'assign'));

  cmd
    .command('status')
    .description('Every worker: role, provider, running or offline, branch, commits ahead, clean or dirty, active changes')
    .addOption(jsonOption())
    .action(lazy(worker, 'status'));

  cmd
    .command('event')
    .description("Record an agent event for a worker (run by the agent CLI's hooks; payload JSON on stdin)")
    .argument('<id>', 'worker id')
    .argument('<event>', 'launch, session-start, prompt-submit, busy, turn-end, turn-failed, needs-input, notification, session-end')
    .option('--root <dir>', 'the project root (default: the repository of the current folder)')
    .addOption(jsonOption())
    .action(lazy(worker, 'event'));

  cmd
    .command('merge')
    .description('Merge team/<id> into your current branch (--no-ff); aborts cleanly on conflict')
    .argument('<id>', 'worker id')
    .option('--squash', 'one commit with the branch\'s changes instead of a merge commit')
    .addOption(jsonOption())
    .addHelpText('after', '\nRefused (exit 1, nothing changed) when your tree has uncommitted changes (untracked files under .agents/ and .worktrees/ do not count),\nwhen the branch adds or changes a path you have as an untracked or ignored file (e.g. .env; listed),\nwhen the branch carries role-prompt files or .tasks/, or on conflict (merge aborted; conflicting files listed).')
    .action(lazy(worker, 'merge'));

  cmd
    .command('close')
    .description('Kill the worker\'s pane; worktree, branch and config stay')
    .argument('<id>', 'worker id')
    .addOption(jsonOption())
    .action(lazy(worker, 'close'));

  cmd
    .command('delete')
    .description('Remove the worker: pane, worktree, branch team/<id> and config')
    .argument('<id>', 'worker id')
    .option('--force', 'also when the worktree has uncommitted work or the branch has unmerged commits')
    .addOption(jsonOption())
    .action(lazy(worker, 'remove'));

  return cmd;
}

/** The top-level worker-side commands, attached to the program with `.addCommand()`. */
export function makeWorkerCommands(): Command[] {
  const initCmd = new Command('init')
    .description('Create .agents/teams/, .agents/workflow/, .agents/workers/ and .agents/config.yaml (idempotent; optional)')
    .addOption(jsonOption())
    .action(lazy(init, 'run'));

  const roleCmd = new Command('role').description('Roles: project (.agents/teams/) and global (~/.agents/roles/)');
  roleCmd
    .command('list')
    .description('List roles of both scopes')
    .addOption(jsonOption())
    .action(lazy(role, 'list'));
  roleCmd
    .command('create')
    .description('Create a role: .agents/teams/<name>/SKILL.md (front matter name, description) and system.md; never overwrites without --force')
    .argument('<name>', 'role name: lowercase letters, digits and -')
    .option('--description <text>', 'one line: what this role does (default: "The <name> of the team")')
    .option('--system-file <file>', 'system.md (the worker\'s prompt) from this file, or - for stdin')
    .option('--skill-file <file>', 'SKILL.md from this file (front matter added if missing); the prompt is then its body, no system.md')
    .option('--global', 'create it in the global roles folder (~/.agents/roles/, or $AGENT_TEAM_HOME/roles/)')
    .option('--force', 'replace an existing role of that name')
    .addOption(jsonOption())
    .addHelpText('after', '\nExample:\n  agent-team role create qa --description "Writes and runs the acceptance tests"')
    .action(lazy(role, 'create'));

  const replyCmd = new Command('reply')
    .description('Type "[Main Controller Reply] <message>" into a worker\'s pane')
    .argument('<id>', 'worker id')
    .argument('<message>', 'the answer')
    .addOption(jsonOption())
    .action(lazy(reply, 'reply'));

  const replyMainCmd = new Command('reply-main')
    .description('From inside a worker\'s worktree: type "[Worker: <id>] <message>" into the controller\'s pane')
    .argument('<message>', 'e.g. "Task completed: <summary>"')
    .option('--outcome <label>', "the node's outcome, e.g. passed or failed (one of its branch labels)")
    .addOption(new Option('--status <status>', 'done, blocked or needs-input (default: inferred from the message: "Blocked…" / "Need decision…", else done)').choices(['done', 'blocked', 'needs-input']))
    .option('--change <change>', 'the change this reply answers (folder name under .tasks/changes/; default the newest open one)')
    .addOption(jsonOption())
    .addHelpText('after', '\nThe reply is also recorded on every active workflow run whose current node this worker is doing,\nso `agent-team workflow run` can complete, block or stop on it, on the change it answers, and as the\nworker\'s last reply (agent-team worker status). Exit codes: 0 recorded or delivered somewhere, 1 it reached nothing.')
    .action(lazy(reply, 'replyMain'));

  const providerCmd = new Command('provider').description('Providers: the agent CLIs workers run (built-in adapters and .agents/config.yaml)');
  providerCmd
    .command('list')
    .description('Each provider: launch command, adapter, whether its binary is on PATH, its version')
    .addOption(jsonOption())
    .action(lazy(worker, 'providers'));

  return [initCmd, roleCmd, makeWorkerCommand(), replyCmd, replyMainCmd, providerCmd];
}

/** `agent-team workflow …`: create, validate, graph, schema and the `state` group. */
import { Command, Option } from 'commander';
import { lazy } from '../lazy.js';
import { jsonOption } from '../options.js';

const handlers = () => import('../handlers/workflow.js');
const state = () => import('../handlers/state.js');
const controller = () => import('../handlers/controller.js');

/**
 * Whether to build the subcommand `name`, given the command words that follow the group on the command
 * line (`only`, e.g. `['state', 'start']`): only the one named, when it is one of `names`; all of them
 * otherwise (help, a typo that needs suggestions, no word at all). Commander then dispatches exactly as
 * with the whole tree, and `workflow state start` builds 3 commands instead of ~20 (~1 ms, measured).
 */
function wanted(names: readonly string[], only: readonly string[] | undefined): (name: string) => boolean {
  const word = only?.[0];
  return (name) => word === undefined || !names.includes(word) || word === name;
}

const WORKFLOW_SUBCOMMANDS = ['create', 'validate', 'graph', 'schema', 'run', 'state'] as const;
const STATE_SUBCOMMANDS = ['init', 'show', 'next', 'list', 'cancel', 'reassign', 'start', 'wait', 'block', 'complete', 'confirm'] as const;

/**
 * `agent-team workflow` with its subcommands; with `only` (the command words after `workflow`), just the
 * one they name (see {@link wanted}).
 */
export function makeWorkflowCommand(only?: readonly string[]): Command {
  const workflow = new Command('workflow').description('Workflow templates and their runs');
  const want = wanted(WORKFLOW_SUBCOMMANDS, only);

  if (want('create'))
    workflow
      .command('create')
      .description('Write a new workflow template from a preset (default .agents/workflow/<name>.yaml)')
      .argument('<name>', 'workflow name: letters, digits, ., _ and -')
      .option('--preset <preset>', 'starter graph: branching, dev-first, test-first or parallel', 'branching')
      .option('--output <file>', 'where to write the template')
      .option('--cto-role <role>', 'role played by the cto alias', 'cto')
      .option('--dev-role <role>', 'role played by the dev alias', 'vite-react-dev')
      .option('--qa-role <role>', 'role played by the qa alias', 'qa')
      .addOption(new Option('--execution-mode <mode>', 'how `workflow run` acts').choices(['semi_auto', 'manual']).default('semi_auto'))
      .option('--create-roles', 'create the roles the template names that do not exist (without this flag: asked on a terminal, else only listed with the role create line for each)')
      .option('--force', 'overwrite an existing file')
      .addOption(jsonOption())
      .addHelpText('after', '\nExample:\n  agent-team workflow create feature-delivery --preset dev-first --create-roles')
      .action(lazy(handlers, 'create'));

  if (want('validate'))
    workflow
      .command('validate')
      .description('Check a template: every problem at once, with file:line:col, a code and a fix hint')
      .argument('<file>', 'template file')
      .addOption(jsonOption('print {"valid", "errors", "warnings"}'))
      .addHelpText('after', '\nExit codes: 0 valid, 1 invalid, 2 unreadable or not YAML.')
      .action(lazy(handlers, 'validate'));

  if (want('graph'))
    workflow
      .command('graph')
      .description('Print a template as a Mermaid or DOT diagram (branch labels on edges, gates and ends marked)')
      .argument('<file>', 'template file')
      .addOption(new Option('--format <format>', 'diagram language').choices(['mermaid', 'dot']).default('mermaid'))
      .option('--state <state-file>', 'highlight the current and completed nodes of this run')
      .addOption(jsonOption('print {"format", "graph"}'))
      .action(lazy(handlers, 'graph'));

  if (want('schema'))
    workflow
      .command('schema')
      .description('Print the JSON Schema of workflow templates (for editors)')
      .addOption(jsonOption('same output (it is JSON already)'))
      .action(lazy(handlers, 'schema'));

  if (want('run'))
    workflow
      .command('run')
      .description('Perform every step of a run that needs no judgement; stop at the first that does and print the next step')
      .argument('<state-file>', 'run-state file')
      .option('--yes', 'approve the merges awaiting approval now, once the person has (nothing else; not a merge reached later)')
      .option('--max-steps <n>', 'stop after this many steps', '100')
      .option('--rerun-check', 'run again a check command whose earlier run did not finish (its workflow run was interrupted)')
      .option('--wait', 'while workers work, block (woken by changes to the run-state and the workers\' events, no polling) until the run needs you')
      .option('--timeout <duration>', 'with --wait: give up after this long (90s, 10m, 1h; default 10m) with stopped "timeout"')
      .addOption(jsonOption('print {"steps", "stopped", "why", "next"} (+ "timed_out" with --wait)'))
      .addHelpText('after', '\nThe loop: agent-team workflow run <state-file> --wait → your judgement on "next" → run --wait again.\nExit codes: 0 stopped normally (completed, waiting, needs the controller, or timeout), 1 a step failed, 2 unreadable input.')
      .action(lazy(controller, 'run'));

  if (want('state')) workflow.addCommand(makeStateCommand(only?.slice(1)));
  return workflow;
}

/** `agent-team workflow state …`: run-state lifecycle and transitions; with `only`, just the one named. */
function makeStateCommand(only?: readonly string[]): Command {
  const cmd = new Command('state').description('Run-states: one execution of a template, resumable at current_node');
  const want = wanted(STATE_SUBCOMMANDS, only);

  if (want('init'))
    cmd
      .command('init')
      .description('Validate a template and start a new run-state at its entry node (never overwrites)')
      .argument('<workflow-file>', 'template file')
      .option('--state-file <file>', 'where to write the run-state (default .agents/workflow/runs/<workflow>/<run-id>.yaml)')
      .option('--run-id <id>', 'run id (default YYYYMMDD-HHMMSS-<workflow> in UTC)')
      .option('--param <name=value>', 'a run input declared under params: (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
      .option('--params-file <file>', 'run inputs as a YAML or JSON mapping (--param wins)')
      .addOption(jsonOption())
      .action(lazy(state, 'init'));

  if (want('show'))
    cmd
      .command('show')
      .description('Print a run-state (YAML, or JSON with --json)')
      .argument('<state-file>', 'run-state file')
      .addOption(jsonOption())
      .action(lazy(state, 'show'));

  if (want('next'))
    cmd
      .command('next')
      .description('What the controller must do now: the node, its task, outcomes, exact commands and when it is done')
      .argument('<state-file>', 'run-state file')
      .option('--wait', 'while the step is only "wait" (a worker is working), block until it changes (no polling)')
      .option('--timeout <duration>', 'with --wait: give up after this long (90s, 10m, 1h; default 10m); the document then has "timed_out": true')
      .addOption(jsonOption())
      .action(lazy(controller, 'next'));

  if (want('list'))
    cmd
      .command('list')
      .description('List the runs under .agents/workflow/runs/ (finished ones only with --all)')
      .option('--all', 'include completed and cancelled runs')
      .addOption(jsonOption())
      .action(lazy(state, 'list'));

  if (want('cancel'))
    cmd
      .command('cancel')
      .description('End a run for good (status cancelled, final like completed)')
      .argument('<state-file>', 'run-state file')
      .requiredOption('--reason <text>', 'why the run ends')
      .addOption(jsonOption())
      .action(lazy(state, 'cancel'));

  if (want('reassign'))
    cmd
      .command('reassign')
      .description("Take a worker node (or for_each instance) from its worker: the visit goes to history, the worker's change is superseded, and workflow run gives the node to another worker")
      .argument('<state-file>', 'run-state file')
      .requiredOption('--node <id>', 'the active node or instance a worker is doing')
      .option('--reason <text>', 'why (logged in decision_log)')
      .addOption(jsonOption())
      .action(lazy(state, 'reassign'));

  const transition = (name: string, description: string, extra: (c: Command) => Command) => {
    if (!want(name)) return;
    extra(
      cmd
        .command(name)
        .description(description)
        .argument('<state-file>', 'run-state file')
        .requiredOption('--node <id>', 'the node to act on (must be current_node unless --force)'),
    )
      .option('--force', 'act on a node that is not current (logged as forced)')
      .addOption(jsonOption())
      .action(lazy(state, name as 'start'));
  };

  transition('start', 'Mark the current node running', (c) => c.option('--worker <id>', 'worker doing it'));
  transition('wait', 'Mark the current node waiting (on a worker, or for confirmation)', (c) =>
    c.requiredOption('--reason <text>', 'what it waits for').option('--worker <id>', 'worker it waits on'),
  );
  transition('block', 'Mark the current node and the run blocked', (c) => c.requiredOption('--reason <text>', 'why'));
  const finish = (c: Command) =>
    c
      .option('--outcome <label>', 'outcome; a branching node needs one of its labels')
      .option('--next-node <id>', 'go to this node instead of the one the graph says')
      .option('--worker <id>', 'worker that did the node (recorded in role_worker_map)')
      .option('--summary <text>', 'what was done');
  transition('complete', 'Complete the current node and move on (refused when it requires confirmation)', finish);
  transition('confirm', 'Confirm a node that requires confirmation and move on', finish);
  return cmd;
}

/**
 * The MCP tools of `agent-team mcp`: one per CLI command a controller uses in its loop. Each tool maps its
 * arguments to the CLI's own command line (see invoke.ts), so it returns exactly the CLI's `--json`
 * document and exit code; nothing here decides anything.
 */
import * as z from 'zod';
import type { CommandLine } from './invoke.js';

/** One tool: name, description, input shape (zod) and the command line it runs. */
export interface ToolSpec {
  name: string;
  description: string;
  input: z.ZodRawShape;
  /** Read-only tools change no file (MCP `readOnlyHint`). */
  readOnly: boolean;
  line(args: Record<string, unknown>): CommandLine;
}

/** `--flag value` when `value` is set (numbers written in decimal), else nothing. */
function opt(flag: string, value: unknown): string[] {
  return value === undefined || value === null ? [] : [flag, String(value)];
}

/** `--flag` when `value` is true. */
function bool(flag: string, value: unknown): string[] {
  return value === true ? [flag] : [];
}

const stateFile = z.string().describe('run-state file, e.g. .agents/workflow/runs/<workflow>/<run-id>.yaml (relative to the server\'s working folder)');
const workerId = z.string().describe('worker id, e.g. dev-001');
const s = (v: unknown) => String(v ?? '');
const duration = z.string().optional().describe('with wait: give up after this long, e.g. 90s, 10m (default 10m); the result then has timed_out: true');

/** Every tool of the server, in the order a controller meets them. */
export const TOOLS: ToolSpec[] = [
  {
    name: 'list_runs',
    description: 'List the runs under .agents/workflow/runs/; finished (completed, cancelled) ones only with all (agent-team workflow state list --json).',
    input: { all: z.boolean().optional().describe('also list completed and cancelled runs') },
    readOnly: true,
    line: (a) => ({ path: ['workflow', 'state', 'list'], options: bool('--all', a.all) }),
  },
  {
    name: 'show_run',
    description: 'A run-state as JSON (agent-team workflow state show --json).',
    input: { state_file: stateFile },
    readOnly: true,
    line: (a) => ({ path: ['workflow', 'state', 'show'], operands: [s(a.state_file)] }),
  },
  {
    name: 'list_roles',
    description: 'Roles of the project (.agents/teams/) and global ones (agent-team role list --json).',
    input: {},
    readOnly: true,
    line: () => ({ path: ['role', 'list'] }),
  },
  {
    name: 'create_role',
    description: 'Create a role: .agents/teams/<name>/SKILL.md and system.md (agent-team role create --json). Refuses to overwrite unless force.',
    input: {
      name: z.string().describe('role name: lowercase letters, digits, - and _'),
      description: z.string().optional().describe('one line: what this role does'),
      system_file: z.string().optional().describe('file whose text becomes system.md'),
      skill_file: z.string().optional().describe('file whose text becomes SKILL.md'),
      global: z.boolean().optional().describe('create it under the global roles folder instead of the project'),
      force: z.boolean().optional().describe('overwrite an existing role'),
    },
    readOnly: false,
    line: (a) => ({
      path: ['role', 'create'],
      options: [...opt('--description', a.description), ...opt('--system-file', a.system_file), ...opt('--skill-file', a.skill_file), ...bool('--global', a.global), ...bool('--force', a.force)],
      operands: [s(a.name)],
    }),
  },
  {
    name: 'create_workflow',
    description: 'Write a workflow template from a preset (agent-team workflow create --json).',
    input: {
      name: z.string().describe('workflow name'),
      preset: z.enum(['branching', 'dev-first', 'test-first']).optional(),
      output: z.string().optional().describe('where to write the template'),
      cto_role: z.string().optional(),
      dev_role: z.string().optional(),
      qa_role: z.string().optional(),
      execution_mode: z.enum(['semi_auto', 'manual']).optional(),
      create_roles: z.boolean().optional().describe('also create the roles the template needs that do not exist'),
      force: z.boolean().optional().describe('overwrite an existing file'),
    },
    readOnly: false,
    line: (a) => ({
      path: ['workflow', 'create'],
      options: [
        ...opt('--preset', a.preset),
        ...opt('--output', a.output),
        ...opt('--cto-role', a.cto_role),
        ...opt('--dev-role', a.dev_role),
        ...opt('--qa-role', a.qa_role),
        ...opt('--execution-mode', a.execution_mode),
        ...bool('--create-roles', a.create_roles),
        ...bool('--force', a.force),
      ],
      operands: [s(a.name)],
    }),
  },
  {
    name: 'validate_workflow',
    description: 'Check a template: every problem with line, column, code and fix (agent-team workflow validate --json). isError when invalid.',
    input: { file: z.string().describe('template file') },
    readOnly: true,
    line: (a) => ({ path: ['workflow', 'validate'], operands: [s(a.file)] }),
  },
  {
    name: 'init_run',
    description: 'Start a new run of a template at its entry node; never overwrites (agent-team workflow state init --json).',
    input: {
      workflow_file: z.string().describe('template file, e.g. .agents/workflow/<name>.yaml'),
      state_file: z.string().optional(),
      run_id: z.string().optional(),
      params: z.record(z.string(), z.string()).optional().describe('run inputs the template declares under params:, e.g. {"requirement": "Add a login page"} (lists comma-separated)'),
    },
    readOnly: false,
    line: (a) => ({
      path: ['workflow', 'state', 'init'],
      options: [...opt('--state-file', a.state_file), ...opt('--run-id', a.run_id), ...Object.entries((a.params ?? {}) as Record<string, string>).flatMap(([k, v]) => ['--param', `${k}=${v}`])],
      operands: [s(a.workflow_file)],
    }),
  },
  {
    name: 'next_step',
    description: 'What the controller must do now: kind, node, task, commands, choices (agent-team workflow state next --json).',
    input: { state_file: stateFile, wait: z.boolean().optional().describe('block while the step is only "wait" (a worker is working)'), timeout: duration },
    readOnly: true,
    line: (a) => ({ path: ['workflow', 'state', 'next'], options: [...bool('--wait', a.wait), ...opt('--timeout', a.timeout)], operands: [s(a.state_file)] }),
  },
  {
    name: 'run',
    description: 'Do every step that needs no judgement and stop at the first that does (agent-team workflow run --json); with wait, block while workers work. yes approves merges.',
    input: {
      state_file: stateFile,
      yes: z.boolean().optional().describe('approve the merges awaiting approval now, once the person has (nothing else; not a merge reached later)'),
      max_steps: z.number().int().positive().optional(),
      wait: z.boolean().optional().describe('while workers work, block until the run needs the controller (the loop: run with wait → judgement → run with wait)'),
      timeout: duration,
    },
    readOnly: false,
    line: (a) => ({ path: ['workflow', 'run'], options: [...bool('--yes', a.yes), ...opt('--max-steps', a.max_steps), ...bool('--wait', a.wait), ...opt('--timeout', a.timeout)], operands: [s(a.state_file)] }),
  },
  {
    name: 'transition',
    description: 'Move a node: start, wait, block, complete or confirm (agent-team workflow state <action> --json). Refused transitions change nothing.',
    input: {
      state_file: stateFile,
      action: z.enum(['start', 'wait', 'block', 'complete', 'confirm']),
      node: z.string().describe('the node to act on (current_node unless force)'),
      reason: z.string().optional().describe('wait and block: why'),
      outcome: z.string().optional().describe('complete/confirm: one of the node\'s branch labels'),
      next_node: z.string().optional(),
      worker: z.string().optional().describe('worker doing the node'),
      summary: z.string().optional(),
      force: z.boolean().optional().describe('act on a node that is not current (logged as forced)'),
    },
    readOnly: false,
    line: (a) => {
      const action = s(a.action);
      const finishing = action === 'complete' || action === 'confirm';
      return {
        path: ['workflow', 'state', action],
        options: [
          ...opt('--node', a.node),
          ...(action === 'wait' || action === 'block' ? opt('--reason', a.reason) : []),
          ...(action !== 'block' ? opt('--worker', a.worker) : []),
          ...(finishing ? [...opt('--outcome', a.outcome), ...opt('--next-node', a.next_node), ...opt('--summary', a.summary)] : []),
          ...bool('--force', a.force),
        ],
        operands: [s(a.state_file)],
      };
    },
  },
  {
    name: 'worker_status',
    description: 'Every worker: role, provider, running or offline, branch, commits ahead, clean or dirty (agent-team worker status --json).',
    input: {},
    readOnly: true,
    line: () => ({ path: ['worker', 'status'] }),
  },
  {
    name: 'worker_create',
    description: 'Create a worker config for a role; prints its id (agent-team worker create --json).',
    input: { role: z.string(), provider: z.string().optional(), model: z.string().optional(), yes: z.boolean().optional().describe('use a global role') },
    readOnly: false,
    line: (a) => ({ path: ['worker', 'create'], options: [...opt('--provider', a.provider), ...opt('--model', a.model), ...bool('--yes', a.yes)], operands: [s(a.role)] }),
  },
  {
    name: 'worker_open',
    description: 'Create the worktree if needed, spawn the pane and start the provider (agent-team worker open --json).',
    input: { worker_id: workerId, provider: z.string().optional(), model: z.string().optional() },
    readOnly: false,
    line: (a) => ({ path: ['worker', 'open'], options: [...opt('--provider', a.provider), ...opt('--model', a.model)], operands: [s(a.worker_id)] }),
  },
  {
    name: 'worker_assign',
    description: 'Give a worker a change and type it into its pane (agent-team worker assign --json).',
    input: { worker_id: workerId, description: z.string().describe('what to do, one line') },
    readOnly: false,
    line: (a) => ({ path: ['worker', 'assign'], operands: [s(a.worker_id), s(a.description)] }),
  },
  {
    name: 'worker_merge',
    description: 'Merge team/<id> into the current branch; aborts cleanly on conflict (agent-team worker merge --json).',
    input: { worker_id: workerId, squash: z.boolean().optional() },
    readOnly: false,
    line: (a) => ({ path: ['worker', 'merge'], options: bool('--squash', a.squash), operands: [s(a.worker_id)] }),
  },
  {
    name: 'reply',
    description: 'Answer a worker: types "[Main Controller Reply] <message>" into its pane (agent-team reply --json).',
    input: { worker_id: workerId, message: z.string() },
    readOnly: false,
    line: (a) => ({ path: ['reply'], operands: [s(a.worker_id), s(a.message)] }),
  },
];

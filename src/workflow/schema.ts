/**
 * zod schemas of the workflow template (version 1 of `../shared/DESIGN.md`, strict: unknown keys are
 * errors), and the constants and types of both file formats; the run-state's schemas, which `validate`
 * does not need, are built in run-state-schema.ts.
 */
import * as z from 'zod/mini';
import { NextSchema, PARALLEL_NODE_FIELDS } from './parallel-schema.js';
import { described, nonEmpty } from './schema-parts.js';
import { ID_NAME, WORKFLOW_NAME } from './names.js';

/** The seven node types of a workflow template. */
export const NODE_TYPES = [
  'controller_task',
  'assign_role_task',
  'wait_for_completion',
  'decision',
  'handoff',
  'verify_or_test',
  'merge',
] as const;
/** One of {@link NODE_TYPES}. */
export type NodeType = (typeof NODE_TYPES)[number];

/** Node types whose `actor` is required and must be a key of `roles`. */
export const ACTOR_NODE_TYPES: readonly NodeType[] = ['assign_role_task', 'wait_for_completion', 'handoff', 'verify_or_test', 'merge'];

/** Node types that may carry a `command:` run by `workflow run` (exit 0 → `passed`; on a merge node: the merge train's check). */
export const COMMAND_NODE_TYPES: readonly NodeType[] = ['verify_or_test', 'controller_task', 'merge'];

/** `defaults.execution_mode`: `semi_auto` lets `workflow run` act; `manual` only prints. */
export const EXECUTION_MODES = ['semi_auto', 'manual'] as const;
/** One of {@link EXECUTION_MODES}. */
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

const fileName = (pattern: RegExp, what: string) => nonEmpty().check(z.regex(pattern, `${what} must match ${pattern.source}`));

/** A labelled way on from a branching node: `{ when: <label>, next: <node id> }`. */
export const BranchSchema = z.strictObject({
  when: described(nonEmpty(), 'Outcome label that selects this branch'),
  next: described(nonEmpty(), 'Node id entered when the outcome equals `when`'),
});

/** One node of the graph. Exactly one of `next`, `branches`, `end` (checked by `validate`). */
export const NodeSchema = z.strictObject({
  id: described(nonEmpty(), 'Unique node id'),
  type: described(z.enum(NODE_TYPES), 'Node type'),
  actor: described(z.optional(nonEmpty()), 'Role alias (a key of `roles`) that performs the node'),
  task: described(z.optional(z.string()), 'What has to be done, in words given to the actor'),
  description: described(z.optional(z.string()), 'Free text for people reading the template'),
  command: described(z.optional(nonEmpty()), 'Shell command for verify_or_test/controller_task: exit 0 means outcome `passed`'),
  requires_confirmation: described(z.optional(z.boolean()), 'The controller must `confirm` (not `complete`) this node'),
  next: described(z.optional(NextSchema), 'The node that follows (a list: a fork, every node entered at once)'),
  branches: described(z.optional(z.array(BranchSchema)), 'Outcome-labelled ways on'),
  end: described(z.optional(z.boolean()), 'Completing this node completes the run'),
  ...PARALLEL_NODE_FIELDS,
  // Work that flows (DESIGN.md): code between workers, evidence for done, loop bounds.
  builds_on: described(z.optional(z.array(nonEmpty())), 'Node ids whose workers\' branches are merged into this worker\'s branch before its task is given'),
  requires_commits: described(z.optional(z.boolean()), 'A `done` reply counts only with a new commit since the assignment and a clean worktree'),
  max_visits: described(z.optional(z.int().check(z.positive())), 'Entering the node one more time than this blocks the run'),
});
/** Types a run input (`params:`) may have. */
export const PARAM_TYPES = ['string', 'number', 'boolean', 'enum', 'list'] as const;

/** A declared run input: `params.<name>` of a template. `values` lists the allowed values of an enum. */
export const ParamSchema = z.strictObject({
  type: described(z.enum(PARAM_TYPES), 'string | number | boolean | enum | list'),
  values: described(z.optional(z.array(z.union([z.string(), z.number(), z.boolean()]))), 'The allowed values (enum)'),
  required: described(z.optional(z.boolean()), 'state init refuses to start without it'),
  default: described(z.optional(z.unknown()), 'The value when none is given'),
  description: described(z.optional(z.string()), 'What the input means, for people and `next`'),
});
/** A declared run input. */
export type ParamDecl = z.infer<typeof ParamSchema>;

/** A template node as parsed. */
export type WorkflowNode = z.infer<typeof NodeSchema>;

/** A role alias: the role folder name and, optionally, the worker that should play it. */
export const RoleRefSchema = z.strictObject({
  role: described(fileName(ID_NAME, 'a role name'), 'Role name (folder under .agents/teams/ or ~/.agents/roles/)'),
  worker: described(z.optional(fileName(ID_NAME, 'a worker id')), 'Preferred worker id, e.g. vite-react-dev-001'),
});

/** Template-wide defaults. */
export const DefaultsSchema = z.strictObject({
  execution_mode: z.optional(z.enum(EXECUTION_MODES)),
  create_worker_if_missing: z.optional(z.boolean()),
  reuse_worker: z.optional(z.boolean()),
});

/** A workflow template, version 1. */
export const TemplateSchema = z.strictObject({
  version: described(z.literal(1), 'Template format version; only 1 exists'),
  name: described(
    fileName(WORKFLOW_NAME, 'a workflow name').check(z.refine((n) => !n.includes('..'), 'a workflow name must not contain ..')),
    'Workflow name; run-states are stored under runs/<name>/',
  ),
  description: z.optional(z.string()),
  roles: described(z.record(z.string(), RoleRefSchema), 'Alias -> role'),
  defaults: z.optional(DefaultsSchema),
  params: described(
    z.optional(z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a param name must match ^[A-Za-z_][A-Za-z0-9_]*$')), ParamSchema)),
    'Run inputs given at state init',
  ),
  entry: described(nonEmpty(), 'Id of the first node'),
  nodes: described(z.array(NodeSchema).check(z.minLength(1)), 'The graph'),
});
/** A workflow template as parsed. */
export type WorkflowTemplate = z.infer<typeof TemplateSchema>;

/**
 * The JSON Schema (draft 2020-12) of {@link TemplateSchema}, for `workflow schema` and editors. Here, and
 * not in the handler, so that zod is only ever imported as a namespace used by name (`z.string`): the
 * bundler then leaves out what no command uses (zod's locales and JSON Schema import: ~450 KB of
 * ~600 KB, measured with esbuild's metafile), which every command would otherwise read at start-up.
 */
export function templateJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TemplateSchema, { target: 'draft-2020-12' });
}

/** Known keys per object kind, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS = {
  template: Object.keys(TemplateSchema.shape),
  node: Object.keys(NodeSchema.shape),
  branch: Object.keys(BranchSchema.shape),
  role: Object.keys(RoleRefSchema.shape),
  defaults: Object.keys(DefaultsSchema.shape),
  param: Object.keys(ParamSchema.shape),
} as const;

// ---------------------------------------------------------------------------------------------------
// Run-state

/** Run statuses, as the Go version writes them, and `cancelled` (ours: `state cancel`, final like completed). */
export const RUN_STATUSES = ['ready', 'running', 'waiting', 'waiting_confirmation', 'blocked', 'completed', 'cancelled'] as const;
/** One of {@link RUN_STATUSES}. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Node statuses, as the Go version writes them, and `skipped` (ours: a `when:` condition was false). */
export const NODE_STATUSES = ['pending', 'running', 'waiting', 'completed', 'blocked', 'skipped'] as const;

/** Statuses a worker reports with `reply-main --status`. */
export const REPLY_STATUSES = ['done', 'blocked', 'needs-input'] as const;
/** One of {@link REPLY_STATUSES}. */
export type ReplyStatus = (typeof REPLY_STATUSES)[number];

// The run-state's zod schemas are in run-state-schema.ts: `validate` never builds them.
export type { Assignment, DecisionEntry, NodeReply, NodeState, RunState } from './run-state-schema.js';

/** Field order used when writing a run-state (the Go struct's order, then ours, then unknown keys). */
export const RUN_STATE_KEY_ORDER = [
  'version',
  'run_id',
  'workflow_file',
  'workflow_name',
  'workflow_hash',
  'params',
  'status',
  'current_node',
  'active_nodes',
  'pending_confirmation',
  'blocking_reason',
  'role_worker_map',
  'node_states',
  'decision_log',
  'created_at',
  'updated_at',
] as const;

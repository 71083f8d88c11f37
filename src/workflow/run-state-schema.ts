/**
 * The zod schemas of the run-state (version 1, Go field names; unknown keys are kept so files written by
 * the Go `agent-team` or a newer version survive a round trip). Apart from schema.ts, whose template
 * schemas `validate` needs, so that `validate` does not build these (start-up time; bench/README.md).
 */
import * as z from 'zod/mini';
import { NODE_STATUSES, REPLY_STATUSES, RUN_STATUSES } from './schema.js';
import { nonEmpty } from './schema-parts.js';

/** RFC 3339 date-time with an offset, as Go's time.Time and `toISOString()` write it. */
const timestamp = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/, 'expected an RFC 3339 timestamp such as 2026-03-13T15:30:00Z'));
const optionalTimestamp = z.optional(timestamp);

const optionalText = z.optional(z.string());
/** zod's `preprocess` (classic API): `fn` applied to the input before `schema` checks it. */
const preprocess = <T extends z.ZodMiniType>(fn: (v: unknown) => unknown, schema: T) => z.pipe(z.transform(fn), schema);
const nullToUndefined = (v: unknown) => (v === null ? undefined : v);

/** An earlier visit of a node, kept when a loop re-enters it (our addition; Go ignores it). */
export const NodeVisitSchema = z.looseObject({
  status: z.enum(NODE_STATUSES),
  outcome: optionalText,
  summary: optionalText,
  worker: optionalText,
  started_at: optionalTimestamp,
  completed_at: optionalTimestamp,
  updated_at: optionalTimestamp,
});

/** The last worker reply recorded on a node (ours): `reply-main "<msg>" [--outcome L] [--status S]`. */
export const NodeReplySchema = z.looseObject({
  worker: z.string(),
  message: z.string(),
  status: z.enum(REPLY_STATUSES),
  outcome: optionalText,
  at: timestamp,
  /** The change folder the reply answers (`reply-main --change`, default the worktree's newest open change). */
  change: optionalText,
  /** The worker branch's head commit when it replied, and whether its worktree was clean. */
  head: optionalText,
  clean: z.optional(z.boolean()),
  /** A `needs-input` reply the controller answered (`reply <id>`): the answer and when. Answered, it asks nothing more of the controller. */
  answer: optionalText,
  answered_at: optionalTimestamp,
});
/** A recorded worker reply. */
export type NodeReply = z.infer<typeof NodeReplySchema>;

/**
 * The assignment of a node visit (ours): the worker, the change folder it was given (relative to its
 * worktree, set once created) and when; with the worker branch's head at that moment (`base`), to tell
 * new commits. Written under the run lock before anything is typed.
 */
export const AssignmentSchema = z.looseObject({
  worker: z.string(),
  change: optionalText,
  at: timestamp,
  base: optionalText,
});
/** A recorded assignment. */
export type Assignment = z.infer<typeof AssignmentSchema>;

/** The state of one node in a run. `visits`/`history`/`reply`/`assignment`/`overdue_from` are ours; the rest is the Go version's. */
export const NodeStateSchema = z.extend(NodeVisitSchema, {
  assignment: preprocess(nullToUndefined, z.optional(AssignmentSchema)),
  reply: preprocess(nullToUndefined, z.optional(NodeReplySchema)),
  visits: z.optional(z.int().check(z.nonnegative())),
  history: preprocess(nullToUndefined, z.optional(z.array(NodeVisitSchema))),
  /** When the overdue clock (`timeout:`) last restarted on this visit: the controller's nudge or answer, or a cleared block; unset → the assignment. */
  overdue_from: optionalTimestamp,
});
/** One node's state. */
export type NodeState = z.infer<typeof NodeStateSchema>;

/** One append-only `decision_log` entry. `action` is the transition (start, wait, block, complete, confirm, reply…). */
export const DecisionEntrySchema = z.looseObject({
  timestamp,
  node: z.string(),
  action: z.string().check(z.minLength(1)),
  outcome: optionalText,
  next_node: optionalText,
  summary: optionalText,
  worker: optionalText,
  forced: z.optional(z.boolean()),
});
/** One decision-log entry. */
export type DecisionEntry = z.infer<typeof DecisionEntrySchema>;

/** A run-state file, version 1 (Go field names). Missing maps and lists read as empty. */
export const RunStateSchema = z.looseObject({
  version: z.literal(1),
  run_id: nonEmpty(),
  workflow_file: nonEmpty(),
  workflow_name: nonEmpty(),
  status: z.enum(RUN_STATUSES),
  current_node: preprocess((v) => v ?? '', z.string()),
  pending_confirmation: preprocess((v) => v ?? '', z.string()),
  blocking_reason: preprocess((v) => v ?? '', z.string()),
  role_worker_map: preprocess((v) => v ?? {}, z.record(z.string(), z.string())),
  node_states: preprocess((v) => v ?? {}, z.record(z.string(), NodeStateSchema)),
  decision_log: preprocess((v) => v ?? [], z.array(DecisionEntrySchema)),
  created_at: timestamp,
  updated_at: timestamp,
  /** sha256 of the template bytes at `state init` (ours), to notice a template edited mid-run. */
  workflow_hash: z.optional(z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>'))),
  /** Every node and instance the run is at (ours; only written when there is more than one). `current_node` is the first. */
  active_nodes: preprocess(nullToUndefined, z.optional(z.array(z.string()))),
  /** The run inputs given at `state init` (ours), checked against the template's `params:`. */
  params: preprocess(nullToUndefined, z.optional(z.record(z.string(), z.unknown()))),
});
/** A run-state as parsed. */
export type RunState = z.infer<typeof RunStateSchema>;


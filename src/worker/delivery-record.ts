/**
 * A worker's delivery record: `.agents/workers/<id>/delivery.yaml`, the state of the last task typed into
 * its agent, so a CLI killed while typing (a controller's shell timeout, `kill -9`) leaves a trace the
 * next `workflow run`, `worker status` and `doctor` read. Fields: `change` (`.tasks/changes/<name>/`),
 * `state`, `started_at` and, once delivered, `delivered_at` (ISO times). States, in order:
 * - `pending`: written before anything is typed; the text may sit (whole or in part) in the input box;
 * - `entered`: Enter was sent; the agent has not confirmed it yet;
 * - `confirmed` / `submitted` / `typed`: delivered (delivery.ts {@link Delivery}).
 * A separate file, not a field of change.yaml: `reply-main` rewrites change.yaml at any moment (the agent
 * may reply before the delivery is recorded), and the Go version's readers never see this file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { readYamlFile, toYaml } from '../store/yaml-file.js';
import { activeChanges, normalizeChange, readChange } from './changes.js';
import { workerPaths } from './paths.js';
import { agentTeam } from '../workflow/shell-quote.js';
import { processStartTime } from '../store/lock.js';

const DeliveryRecordSchema = z.object({
  change: z.string(),
  state: z.enum(['pending', 'entered', 'confirmed', 'submitted', 'typed']),
  started_at: z.string(),
  /** The process making the delivery: while it lives, the delivery is in progress, not a leftover. */
  pid: z.optional(z.number()),
  /** That process's start time (lock.ts processStartTime; '' off Linux): a pid reused by another process does not count. */
  pid_start: z.optional(z.string()),
  /** When the text went into the pane (Enter not yet sent): a pipe (the process backend) shows no input box to look at. */
  typed_at: z.optional(z.string()),
  delivered_at: z.optional(z.string()),
});

/** One delivery record as stored in delivery.yaml. */
export type DeliveryRecord = z.infer<typeof DeliveryRecordSchema>;
/** Where a delivery stands (see the module comment). */
export type DeliveryState = DeliveryRecord['state'];

/** `<root>/.agents/workers/<id>/delivery.yaml`. */
function deliveryRecordPath(root: string, id: string): string {
  return join(workerPaths(root, id).dir, 'delivery.yaml');
}

/**
 * Records that the delivery of `change` to worker `id` reached `state` (atomic rewrite). `pending` starts
 * a new record (`started_at` now); `typed-in` keeps it pending and adds `typed_at` (the text is in the
 * pane); a delivered state adds `delivered_at`. Throws the fs error when the
 * worker folder is missing.
 */
export function recordDelivery(root: string, id: string, change: string, state: DeliveryState | 'typed-in', now = new Date()): void {
  const previous = state === 'pending' ? undefined : readDeliveryRecord(root, id);
  const same = previous && previous.change === normalizeChange(change) ? previous : undefined;
  // `typed-in`: still pending, the text is in the pane now
  const typedAt = state === 'typed-in' ? now.toISOString() : same?.typed_at;
  const stored: DeliveryState = state === 'typed-in' ? 'pending' : state;
  const record: DeliveryRecord = {
    change: normalizeChange(change),
    state: stored,
    started_at: same?.started_at ?? now.toISOString(),
    pid: process.pid,
    pid_start: processStartTime(process.pid),
    ...(typedAt ? { typed_at: typedAt } : {}),
    ...(isDelivered(stored) ? { delivered_at: now.toISOString() } : {}),
  };
  writeFileAtomicSync(deliveryRecordPath(root, id), toYaml(record));
}

function isDelivered(state: DeliveryState): boolean {
  return state !== 'pending' && state !== 'entered';
}

/** Worker `id`'s delivery record, undefined when there is none or it is not a record (it is then rewritten by the next delivery). */
export function readDeliveryRecord(root: string, id: string): DeliveryRecord | undefined {
  const path = deliveryRecordPath(root, id);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = DeliveryRecordSchema.safeParse(readYamlFile(path, 'delivery.yaml').data);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` (started at `start`, when known) still runs (EPERM: it exists, owned by another user). */
function delivering(pid: number, start: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // a start time recorded and readable now must match: else the pid was reused after the CLI died
  const now = start ? processStartTime(pid) : '';
  return !start || !now || now === start;
}

/** A change whose delivery was never confirmed: the change, how far it got, its description and the command that delivers it. */
export interface UndeliveredChange {
  change: string;
  state: 'pending' | 'entered';
  startedAt: string;
  /** Whether the text went into the pane (`typed_at`); when pending without it, nothing was typed yet. */
  typed: boolean;
  /** Whether another process that is still alive is making this delivery now (a concurrent command, not a leftover). */
  inProgress: boolean;
  description: string;
  /** `agent-team worker assign <id> '<description>' --change <change>`: submits the text still in the input box, else types it again. */
  fix: string;
}

/**
 * Worker `id`'s change that was typed (or about to be) but never confirmed delivered: its record is
 * `pending` or `entered`, the change is still open, and the worker has not replied on it (a reply proves
 * the agent got it). `change` narrows the question to one change. Undefined otherwise; never throws.
 */
export function undeliveredChange(root: string, id: string, change?: string): UndeliveredChange | undefined {
  const record = readDeliveryRecord(root, id);
  if (!record || (record.state !== 'pending' && record.state !== 'entered')) return undefined;
  const state = record.state;
  if (change !== undefined && normalizeChange(change) !== record.change) return undefined;
  const worktree = workerPaths(root, id).worktree;
  try {
    const name = record.change.slice('.tasks/changes/'.length, -1);
    if (!activeChanges(worktree).some((c) => c.name === name)) return undefined;
    const fields = readChange(worktree, record.change);
    if (fields.replied_at !== undefined || fields.reply !== undefined) return undefined;
    const description = String(fields.description ?? '');
    return { change: record.change, state, startedAt: record.started_at, typed: record.typed_at !== undefined, inProgress: record.pid !== undefined && record.pid !== process.pid && delivering(record.pid, record.pid_start), description, fix: agentTeam('worker', 'assign', id, description, '--change', record.change) };
  } catch {
    return undefined;
  }
}

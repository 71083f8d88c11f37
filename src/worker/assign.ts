/** `worker assign`: bring an idle worker up to date, write the change folder, type the message. */
import { OperationError, UsageError } from '../errors.js';
import { updateFrom } from '../git/merge.js';
import { currentRef, statusEntries } from '../git/repo.js';
import { createChange, type CreatedChange } from './changes.js';
import { readWorkerConfig } from './config.js';
import { assertName } from './ids.js';
import { assertTypable, assignMessage } from './messages.js';
import { PROMPT_FILES } from './prompt.js';
import { backendFor } from './session.js';
import { workerSkillDir } from './skill-install.js';
import { liveness, openWorker, prepareWorktree, type OpenedWorker, type OpenWorkerOptions } from './open.js';
import { rmSync } from 'node:fs';
import { confirmLaunchTask, deliverTyped, type Delivery } from './delivery.js';
import { DEFAULT_PROVIDER, providerFor } from './providers.js';

/** Options of {@link assignWorker}. `proposal`/`design` are the file contents (the CLI reads files/stdin). */
export interface AssignOptions extends OpenWorkerOptions {
  proposal?: string;
  design?: string;
  /** Extra lines for the message (see messages.ts). */
  extra?: string[];
  /** Bound (ms) on the agent confirming the task (default delivery.ts DELIVERY_BOUND_MS). */
  deliveryTimeoutMs?: number;
}

/** Result of {@link assignWorker}. */
export interface AssignResult {
  id: string;
  change: CreatedChange;
  /** Set when the worker was not running and had to be opened. */
  opened?: OpenedWorker;
  /** How an idle worker was brought up to the controller's branch (`none` when it was busy or current). */
  update: { method: 'none' | 'fast-forward' | 'rebase' | 'skipped-busy'; upstream: string };
  message: string;
  /** `confirmed` by the agent's events, or only `typed` (a provider without events); see delivery.ts. */
  delivery: Delivery;
  /** Whether the task went on the launch command line (the worker was opened for it). */
  onCommandLine: boolean;
  warnings: string[];
}

/**
 * `worker assign`: prepares the worktree; if the worktree is clean (idle worker) brings `team/<id>` up to
 * the controller's branch (fast-forward or rebase; a conflict is aborted and thrown as OperationError
 * `update_conflict`, or `would_overwrite_untracked` when it would replace a file the worktree holds untracked
 * or ignored, before anything is created or typed); creates the change folder; opens the worker
 * when its provider is not running; types the `[New Change Assigned]` message.
 */
export async function assignWorker(root: string, id: string, description: string, options: AssignOptions = {}): Promise<AssignResult> {
  assertName('worker id', id);
  if (description.trim() === '') throw new UsageError('the change description is empty');
  assertTypable('the change description', description);
  const config = readWorkerConfig(root, id);
  const warnings: string[] = [];
  const prepared = await prepareWorktree(root, id, options);
  warnings.push(...prepared.warnings);
  const upstream = await currentRef(root);
  let update: AssignResult['update'] = { method: 'skipped-busy', upstream: upstream.ref };
  const dirty = await statusEntries(prepared.worktree);
  if (dirty.length === 0) {
    // agent-team's own files may be replaced (they are reinstalled below); any other untracked or
    // ignored file the update would overwrite refuses the assignment before anything is created or typed.
    const exempt = [...PROMPT_FILES, '.tasks/', `${workerSkillDir(config.provider || DEFAULT_PROVIDER)}/`];
    const r = await updateFrom(prepared.worktree, upstream.sha, { exempt });
    update = { method: r.method, upstream: upstream.ref };
    // git may replace ignored files (our prompt files) when the update brings tracked ones: reinstall
    if (r.method !== 'none') await prepareWorktree(root, id, options);
  } else {
    warnings.push(`${id} has uncommitted work, so it was not brought up to ${upstream.ref}`);
  }
  const change = createChange(prepared.worktree, { description, assignedTo: id, proposal: options.proposal, design: options.design, now: options.now });
  const message = assignMessage({ description, changeDir: change.relativeDir, files: change.files, extra: options.extra });

  // Nothing is recorded as assigned unless the agent got the task: the change folder goes on failure.
  try {
    const adapter = providerFor(root, config.provider || DEFAULT_PROVIDER).adapter;
    let opened: OpenedWorker | undefined;
    const live = await liveness(config, options);
    let backend = live.backend;
    let paneId = config.pane_id;
    let delivery: Delivery;
    let onCommandLine = false;
    if (!live.alive) {
      const launchedAt = Date.now();
      opened = await openWorker(root, id, { ...options, task: message });
      warnings.push(...opened.warnings.filter((w) => !w.includes('needs you')));
      backend = await backendFor(options, opened.backend);
      paneId = opened.paneId;
      onCommandLine = opened.taskOnCommandLine === true;
      const ctx = { root, id, adapter, backend, paneId, env: options.env, startTimeoutMs: options.startTimeoutMs, deliveryTimeoutMs: options.deliveryTimeoutMs };
      delivery = onCommandLine ? await confirmLaunchTask(ctx, launchedAt) : await deliverTyped(ctx, message);
    } else {
      if (!backend) throw new OperationError(`worker ${id} has no pane`);
      delivery = await deliverTyped({ root, id, adapter, backend, paneId, env: options.env, startTimeoutMs: options.startTimeoutMs, deliveryTimeoutMs: options.deliveryTimeoutMs }, message);
    }
    if (delivery === 'typed') warnings.push(`${id} runs a provider without events (${config.provider}): the task was typed, but agent-team cannot confirm the agent took it (give the provider \`like: <built-in>\` in .agents/config.yaml if it is one)`);
    return { id, change, opened, update, message, delivery, onCommandLine, warnings };
  } catch (err) {
    rmSync(change.dir, { recursive: true, force: true });
    throw err;
  }
}

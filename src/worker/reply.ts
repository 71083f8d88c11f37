/**
 * Messages between the controller and workers: `reply <id>` types `[Main Controller Reply] …` into a
 * worker's pane; `reply-main`, run inside a worker's worktree, types `[Worker: <id>] …` into the
 * controller's pane recorded in the worker's config. Text is typed only where a program other than a
 * shell holds the pane (preflight.ts): into a shell it would run as commands. A controller pane that is
 * a shell is shown the reply instead (tmux `display-message`). Recording a reply into the runs that
 * wait on the worker is `recordReply` (src/workflow/replies.ts); the CLI handler calls both.
 */
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { hasCode, OperationError, UsageError } from '../errors.js';
import { headSha, repoPaths, statusEntries } from '../git/repo.js';
import { recordControllerReply, recordReply, type RecordedReply } from '../workflow/replies.js';
import { agentTeam } from '../workflow/shell-quote.js';
import { timestamp } from '../workflow/run-state.js';
import type { ReplyStatus } from '../workflow/schema.js';
import { CHANGES_DIR, listChanges, newestOpenChange, normalizeChange, recordChangeAnswer, setChangeStatus } from './changes.js';
import { readLastReply, writeLastReply } from './last-reply.js';
import { readWorkerConfig } from './config.js';
import { ID_NAME } from '../workflow/names.js';
import { assertName } from './ids.js';
import { assertTypable, controllerReply, workerMessage } from './messages.js';
import { workerPaths } from './paths.js';
import { assertAgentInPane } from './preflight.js';
import { backendFor, paneOwner, type SessionOptions } from './session.js';

/**
 * `reply <id> "<msg>"`: types `[Main Controller Reply] <msg>` into the worker's pane and keeps it on the
 * worker's newest open change (change.yaml `answers:`, with the question it answers), so the change
 * given again to a restarted agent carries it. When the worker has no pane (or its pane is gone) the
 * answer is kept all the same — on the change and on the runs waiting on the worker (as `reply` does
 * after typing) — and OperationError `not_running` says so, with the line that gives the worker its task
 * and the answer: `workflow run <state-file> --wait` when a run waits on it (it reopens the worker and
 * gives the change again), else `worker assign … --change` (the open change again), else `worker open`.
 * `not_agent` when a shell holds the pane (nothing is kept: the pane's owner decides).
 */
export async function replyToWorker(root: string, id: string, message: string, options: SessionOptions = {}, now = new Date()): Promise<{ id: string; paneId: string; text: string; change?: string }> {
  assertName('worker id', id);
  if (message.trim() === '') throw new UsageError('the message is empty');
  assertTypable('the message', message);
  const config = readWorkerConfig(root, id);
  const worktree = workerPaths(root, id).worktree;
  const change = existsSync(join(worktree, '.git')) ? newestOpenChange(worktree) : undefined;
  const keep = () => {
    if (change) recordChangeAnswer(worktree, change, message, timestamp(now));
  };
  const notRunning = async (cause?: unknown) => {
    keep();
    const runs = await recordControllerReply(id, message, root, now);
    const where = [...(change ? [`its change ${change}`] : []), ...runs.map((r) => `run ${r.run_id}`)];
    const run = runs[0];
    const description = change ? listChanges(worktree).find((c) => `${CHANGES_DIR}/${c.name}/` === change)?.description : undefined;
    const hint = run
      ? agentTeam('workflow', 'run', shownPath(run.path), '--wait')
      : change && description
        ? agentTeam('worker', 'assign', id, description, '--change', change)
        : agentTeam('worker', 'open', id);
    return new OperationError(`worker ${id} is not running${where.length ? `: the answer was recorded on ${where.join(' and ')}; it is given with the task when the worker is reopened` : ''}`, {
      code: 'not_running',
      hint,
      details: { ...(change ? { change } : {}), runs: runs.map((r) => r.run_id) },
      ...(cause ? { cause } : {}),
    });
  };
  if (!config.pane_id) throw await notRunning();
  const backend = await backendFor(options, config.backend);
  const text = controllerReply(message);
  let gone: unknown;
  await assertAgentInPane(backend, config.pane_id, paneOwner(root, id), `worker ${id} is not running its agent`, `agent-team worker open ${id}`).catch((err: unknown) => {
    if (!hasCode(err, 'not_running')) throw err;
    gone = err;
  });
  if (gone) throw await notRunning(gone);
  await backend.sendText(config.pane_id, text);
  keep();
  return { id, paneId: config.pane_id, text, ...(change ? { change } : {}) };
}

/** `path` relative to the current folder when it is inside it (as the user names run-states), else absolute. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Where a `reply-main` runs: the main repository root and the worker id. */
export interface WorkerLocation {
  root: string;
  id: string;
  worktree?: string;
}

/**
 * Finds the worker a command runs for: inside a linked worktree, its folder name (Go `reply-main`) and
 * the main root from `git rev-parse --git-common-dir`; elsewhere `AGENT_TEAM_WORKER_ID` with the
 * repository root. Throws UsageError when neither says, OperationError `unknown_worker` when the main
 * repository has no such worker.
 */
export async function locateWorker(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<WorkerLocation> {
  const paths = await repoPaths(cwd);
  if (!paths) throw new UsageError(`${cwd} is not inside a git repository; run reply-main inside a worker's worktree`, { code: 'not_in_worktree' });
  const { top, gitDir: gd, commonDir: cd } = paths;
  const linked = resolve(gd) !== resolve(cd);
  const root = linked ? (basename(cd) === '.git' ? dirname(cd) : top) : top;
  const fromEnv = env.AGENT_TEAM_WORKER_ID || undefined;
  const fromFolder = linked ? basename(top) : undefined;
  const candidates = [fromFolder, fromEnv].filter((c): c is string => c !== undefined && ID_NAME.test(c));
  const id = candidates.find((c) => existsSync(workerPaths(root, c).config)) ?? candidates[0];
  if (!id) {
    throw new UsageError('cannot tell which worker this is: run reply-main inside a worker worktree (.worktrees/<id>) or set AGENT_TEAM_WORKER_ID', {
      code: 'not_in_worktree',
    });
  }
  assertName('worker id', id);
  if (!existsSync(workerPaths(root, id).config)) {
    throw new OperationError(`no worker ${id} in ${root} (${workerPaths(root, id).config} does not exist)`, { code: 'unknown_worker' });
  }
  return { root, id, worktree: linked ? top : undefined };
}

/** Result of {@link replyToController}. `delivery`: typed into the controller's agent, or shown without typing. */
export interface ReplyMainResult {
  root: string;
  id: string;
  controllerPaneId: string;
  text: string;
  delivery: 'typed' | 'shown';
  /** What held the controller pane (`claude`, `bash`…), when known. */
  foreground?: string;
}

/**
 * `reply-main "<msg>"`: types `[Worker: <id>] <msg>` into the controller pane recorded for the worker
 * when an agent (a program other than a shell) holds it; when a shell does, shows the text there
 * without typing it (`notify`). Throws OperationError `no_controller_pane` when none is recorded,
 * `controller_gone` when the pane no longer exists, `controller_not_agent` when it is a shell and
 * nobody could be shown the reply.
 */
export async function replyToController(cwd: string, message: string, options: SessionOptions = {}): Promise<ReplyMainResult> {
  if (message.trim() === '') throw new UsageError('the message is empty');
  assertTypable('the message', message);
  const env = options.env ?? process.env;
  const { root, id } = await locateWorker(cwd, env);
  const config = readWorkerConfig(root, id);
  const pane = config.controller_pane_id;
  if (!pane) {
    throw new OperationError(`no controller pane recorded for worker ${id} — was it opened with agent-team worker open from the controller's pane?`, {
      code: 'no_controller_pane',
      hint: `from the controller's pane: agent-team worker close ${id} && agent-team worker open ${id}`,
    });
  }
  const backend = await backendFor(options, config.backend);
  const text = workerMessage(id, message);
  const gone = (cause?: unknown) => new OperationError(`main controller (pane ${pane}) is not running`, { code: 'controller_gone', cause });
  const foreground = await backend.foreground(pane);
  if (foreground.kind === 'gone') throw gone();
  if (foreground.kind !== 'program') {
    if (await backend.notify(pane, text)) return { root, id, controllerPaneId: pane, text, delivery: 'shown', foreground: foreground.command };
    throw new OperationError(
      `the controller's pane ${pane} runs ${foreground.command ? `the shell ${foreground.command}` : 'no agent that can be told apart from a shell'}, so the reply was not typed (it would run as commands), and no one is attached to it to be shown it`,
      { code: 'controller_not_agent', hint: `start your agent in pane ${pane}, or attach to it, and run reply-main again`, details: { pane_id: pane, foreground: foreground.kind } },
    );
  }
  try {
    await backend.sendText(pane, text);
  } catch (err) {
    if (hasCode(err, 'pane_gone')) throw gone(err);
    throw err;
  }
  return { root, id, controllerPaneId: pane, text, delivery: 'typed', foreground: foreground.command };
}

/**
 * The status of a reply sent without `--status`: `Blocked…` → blocked, `Need decision…`/`Need input…`
 * → needs-input (the Go protocol's wording), anything else → done.
 */
export function inferReplyStatus(message: string): 'done' | 'blocked' | 'needs-input' {
  const m = message.trim().toLowerCase();
  if (m.startsWith('blocked')) return 'blocked';
  if (m.startsWith('need decision') || m.startsWith('need input') || m.startsWith('needs input') || m.startsWith('question')) return 'needs-input';
  return 'done';
}

/** What `reply-main` records besides the message: the change it answers and the evidence from the worktree. */
export interface ReplyEvidence {
  /** `.tasks/changes/<name>/`: `--change`, else the worktree's newest open change (undefined when none). */
  change?: string;
  /** The worktree's HEAD commit. */
  head?: string;
  /** Whether `git status` shows nothing to commit (agent-team's own excluded files do not count). */
  clean?: boolean;
}

/**
 * Records a worker's reply on every active run waiting on it (see workflow/replies.ts) with its
 * evidence — the change it answers (`change`, default the newest open change), the branch head and
 * whether the worktree is clean — marks that change `done`, `blocked` or `needs-input` with the reply
 * (`reply`, `replied_at` in its change.yaml), and keeps it as the worker's last reply (last-reply.ts,
 * shown by `worker status`; `workerRecord` is its path, undefined when it could not be written, and
 * `workerRecordError` why: an unreadable last-reply.yaml is left as it is), so a
 * reply no run waits for is not lost. Throws UsageError for a malformed `change`, OperationError when
 * the named change does not exist.
 */
export async function recordWorkerReply(
  where: WorkerLocation,
  reply: { message: string; status: ReplyStatus; outcome?: string; change?: string },
  now = new Date(),
): Promise<{ recorded: RecordedReply[]; evidence: ReplyEvidence; workerRecord?: string; workerRecordError?: string; changeRecorded: boolean }> {
  const worktree = where.worktree ?? workerPaths(where.root, where.id).worktree;
  const evidence: ReplyEvidence = {};
  if (existsSync(join(worktree, '.git'))) {
    evidence.change = reply.change !== undefined ? normalizeChange(reply.change) : newestOpenChange(worktree);
    if (reply.change !== undefined && !existsSync(join(worktree, evidence.change as string, 'change.yaml'))) {
      throw new OperationError(`--change ${reply.change}: ${worktree} has no change ${evidence.change}`, { code: 'unknown_change', hint: 'list them with: ls .tasks/changes/' });
    }
    evidence.head = await headSha(worktree);
    evidence.clean = (await statusEntries(worktree)).length === 0;
  }
  const recorded = await recordReply({ worker: where.id, message: reply.message, status: reply.status, ...(reply.outcome ? { outcome: reply.outcome } : {}), ...evidence }, where.root, now);
  const at = timestamp(now);
  if (evidence.change) setChangeStatus(worktree, evidence.change, reply.status, { reply: reply.message, replied_at: at });
  let workerRecord: string | undefined;
  let workerRecordError: string | undefined;
  try {
    readLastReply(where.root, where.id); // an unreadable last-reply.yaml is never overwritten
    workerRecord = writeLastReply(where.root, where.id, { message: reply.message, status: reply.status, at, outcome: reply.outcome, ...evidence, runs: recorded.map((r) => r.run_id) });
  } catch (err) {
    // the reply still counts where it was recorded (runs, change)
    workerRecordError = (err as Error).message;
  }
  return { recorded, evidence, workerRecord, workerRecordError, changeRecorded: evidence.change !== undefined };
}

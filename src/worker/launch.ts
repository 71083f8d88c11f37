/**
 * The launch command line of a worker's agent: the provider adapter's command with the worker's hooks,
 * its conversation (resumed from the recorded session id, or a new one — chosen up front where the CLI
 * allows) and the first task, which is written to `.agents/workers/<id>/task.txt` and passed as
 * `"$(cat …/task.txt)"`, so the typed line stays one short line whatever the task holds.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { ProviderAdapter } from '../provider/index.js';
import { shellWord } from '../provider/shell.js';
import type { PaneOwner, SessionBackend } from '../session/backend.js';
import { decideActivity, lastSessionId, type ActivityInfo } from './activity.js';
import type { WorkerConfig } from './config.js';
import { eventRecord } from './event-line.js';
import { appendEvent, readEvents, writeHookScript } from './events.js';
import { addWorktreeExcludes } from './exclude.js';
import { workerPaths } from './paths.js';
import { DEFAULT_PROVIDER, assertModel, providerFor } from './providers.js';
import { paneOwner } from './session.js';
import { EVENT_PACE, pacedWait } from './paced-wait.js';

/** What {@link planLaunch} decided. */
export interface LaunchResult {
  command: string;
  adapter: ProviderAdapter;
  sessionId?: string;
  resumed: boolean;
  taskOnCommandLine: boolean;
  warnings: string[];
}

/**
 * Builds worker `id`'s launch command (see the module comment), writes the hook script and hook files
 * (those inside the worktree are excluded for that worktree), and records a `launch` event naming the
 * session. `fresh`: never resume. Throws UsageError for an unknown provider or bad model.
 */
export async function planLaunch(
  root: string,
  id: string,
  config: WorkerConfig,
  worktree: string,
  options: { task?: string; fresh?: boolean; env?: NodeJS.ProcessEnv; now?: Date } = {},
): Promise<LaunchResult> {
  const resolved = providerFor(root, config.provider || DEFAULT_PROVIDER);
  const adapter = resolved.adapter;
  const model = config.default_model || undefined;
  const base = model ? `${resolved.command} --model ${assertModel(model)}` : resolved.command;
  const paths = workerPaths(root, id);
  const warnings: string[] = [];
  const recorded = options.fresh ? undefined : lastSessionId(readEvents(root, id), true);
  const newSessionId = !recorded && adapter.chooseSessionId ? randomUUID() : undefined;
  const taskOnCommandLine = options.task !== undefined && adapter.taskOnCommandLine;
  let task: string | undefined;
  if (taskOnCommandLine) {
    const file = join(paths.dir, 'task.txt');
    writeFileSync(file, options.task as string);
    task = `"$(cat ${shellWord(file)})"`;
  }
  const hookPath = writeHookScript(root, id);
  const env = options.env ?? process.env;
  const plan = adapter.buildLaunch({
    base,
    hook: shellWord(hookPath),
    hookPath,
    home: env.HOME || homedir(),
    stateDir: paths.dir,
    worktree,
    task,
    resume: recorded,
    newSessionId,
  });
  const inWorktree = plan.files.filter((f) => f.startsWith(worktree + sep)).map((f) => `/${relative(worktree, f).split(sep).join('/')}`);
  if (inWorktree.length > 0) await addWorktreeExcludes(worktree, inWorktree);
  if (plan.resumeNote) warnings.push(plan.resumeNote);
  warnings.push(...(plan.warnings ?? []));
  const sessionId = recorded ?? newSessionId;
  await appendEvent(root, id, {
    ...eventRecord('launch', sessionId ? { session_id: sessionId } : undefined, options.now),
    data: { provider: resolved.name, resumed: recorded !== undefined, task_on_command_line: taskOnCommandLine },
  });
  return { command: plan.command, adapter, sessionId, resumed: recorded !== undefined, taskOnCommandLine, warnings };
}

/** The worker's activity now: events, liveness of its pane and (when alive) its screen. */
export async function currentActivity(root: string, id: string, adapter: ProviderAdapter, backend: SessionBackend, paneId: string): Promise<ActivityInfo> {
  const owner = paneOwner(root, id);
  // one multiplexer call where the backend chains both (tmux)
  const { alive, screen } = backend.look ? await backend.look(paneId, owner, 40) : await aliveThenCapture(backend, paneId, owner);
  return decideActivity({ events: readEvents(root, id), alive, adapter, screen });
}

async function aliveThenCapture(backend: SessionBackend, paneId: string, owner: PaneOwner): Promise<{ alive: boolean; screen?: string[] }> {
  const alive = await backend.isAlive(paneId, owner);
  return { alive, screen: alive ? await backend.capture(paneId, 40) : undefined };
}

/** Default bound on waiting for an agent to start, ms, when neither the caller nor the adapter says. */
export function startBound(adapter: ProviderAdapter, override?: number, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.AGENT_TEAM_START_TIMEOUT_MS);
  return override ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : adapter.startBoundMs);
}

/**
 * Waits (bounded) until the agent leaves `starting`: ready, working (a first task on the command line),
 * attention (a dialog), exited… Looks again when the worker's folder changes (its events), else at a
 * paced interval (paced-wait.ts). Returns the last activity seen (still `starting` when the bound passed).
 */
export async function waitForStart(root: string, id: string, adapter: ProviderAdapter, backend: SessionBackend, paneId: string, timeoutMs?: number, env?: NodeJS.ProcessEnv): Promise<ActivityInfo> {
  let info: ActivityInfo | undefined;
  await pacedWait(
    async () => {
      info = await currentActivity(root, id, adapter, backend, paneId);
      return info.activity !== 'starting' ? info : undefined;
    },
    { folders: [workerPaths(root, id).dir], deadline: Date.now() + startBound(adapter, timeoutMs, env), pace: EVENT_PACE },
  );
  return info as ActivityInfo;
}

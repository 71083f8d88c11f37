/**
 * `worker open`: the worktree on `team/<id>`, the role prompt, the pane and the launch command. No fixed
 * sleeps: pane readiness comes from the backend's `spawn`, provider start-up from a bounded {@link waitFor}.
 */
import type { SessionBackend } from '../session/backend.js';
import { existsSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { shellQuote } from '../shell-quote.js';
import { hasCode } from '../errors.js';
import { currentRef } from '../git/repo.js';
import { addWorktree } from '../git/worktree.js';
import { initTasksDir } from './changes.js';
import { isWorktreeCreated, readWorkerConfig, updateWorkerConfig, type WorkerConfig } from './config.js';
import { assertName } from './ids.js';
import { workerPaths, worktreeBase } from './paths.js';
import { buildRolePrompt, installRolePrompt, runtimeExcludes } from './prompt.js';
import { assertModel, assertProvider, DEFAULT_PROVIDER, launchCommand } from './providers.js';
import { planLaunch, waitForStart, type LaunchResult } from './launch.js';
import { agentReported, type ActivityInfo } from './activity.js';
import { readEvents } from './events.js';
import { installWorkerSkill, workerSkillDir } from './skill-install.js';
import { resolveRole, roleAt, rolePromptText, type Role } from './roles.js';
import { assertTrusted, launchCommandsNeedingTrust } from '../trust/check.js';
import { assertProviderInstalled, awaitAgentStart, settleBound, type StartCheckOptions } from './preflight.js';
import { backendFor, currentControllerPane, paneEnv, paneOwner, type LifecycleOptions, type SessionOptions } from './session.js';
import { strayPanes } from './stray-panes.js';

/** Result of {@link prepareWorktree}. */
export interface PreparedWorktree {
  worktree: string;
  branch: string;
  worktreeCreated: boolean;
  branchCreated: boolean;
  promptFiles: string[];
  warnings: string[];
}

function roleOf(root: string, config: WorkerConfig, env?: NodeJS.ProcessEnv): Role | undefined {
  if (config.role_path) {
    const r = roleAt(config.role, config.role_scope === 'project' ? 'project' : 'global', config.role_path);
    if (r) return r;
  }
  try {
    return resolveRole(root, config.role, env);
  } catch {
    return undefined;
  }
}

/**
 * Makes sure worker `id` has its worktree `.worktrees/<id>` on `team/<id>` (created from the controller's
 * current commit, or reusing an existing branch), `.tasks/config.yaml`, and its role prompt (see
 * prompt.ts); records `worktree_created: true`. Idempotent. Throws OperationError on git failure.
 */
export async function prepareWorktree(root: string, id: string, options: LifecycleOptions = {}): Promise<PreparedWorktree> {
  assertName('worker id', id);
  const config = readWorkerConfig(root, id);
  const paths = workerPaths(root, id);
  const warnings: string[] = [];
  let worktreeCreated = false;
  let branchCreated = false;
  if (!existsSync(join(paths.worktree, '.git'))) {
    const { sha } = await currentRef(root);
    ({ branchCreated } = await addWorktree(root, paths.worktree, paths.branch, sha));
    worktreeCreated = true;
  }
  initTasksDir(paths.worktree);
  const role = roleOf(root, config, options.env);
  if (!role) warnings.push(`role ${config.role} was not found; the worker gets the agent-team instructions without a role text`);
  const prompt = buildRolePrompt({
    workerId: id,
    role: config.role,
    roleText: role ? rolePromptText(role) : '',
    roleDescription: role?.description,
    worktree: paths.worktree,
    branch: paths.branch,
    root,
  });
  const base = relative(root, worktreeBase(root)).split(sep).join('/');
  const provider = config.provider || DEFAULT_PROVIDER;
  // The worker skill (how to report back) goes where the provider looks for skills, excluded with the prompt.
  const installed = await installRolePrompt(paths.worktree, prompt, provider, runtimeExcludes(base), [`/${workerSkillDir(provider)}/`]);
  warnings.push(...installed.warnings);
  installWorkerSkill(paths.worktree, provider);
  if (!isWorktreeCreated(config) || config.worktree_created === undefined) {
    await updateWorkerConfig(root, id, (c) => {
      c.worktree_created = true;
    });
  }
  return { worktree: paths.worktree, branch: paths.branch, worktreeCreated, branchCreated, promptFiles: installed.written, warnings };
}

/** Options of {@link openWorker}: provider/model overrides are saved to worker.yaml. */
export interface OpenWorkerOptions extends LifecycleOptions {
  provider?: string;
  model?: string;
  newWindow?: boolean;
  /** Bound (ms) on waiting for the provider process to start after the launch command (default 15000). */
  startTimeoutMs?: number;
  /** The first task, put on the launch command line when the provider takes one (see src/provider). */
  task?: string;
  /** Start a new conversation instead of resuming the recorded one (Go `--fresh`). */
  fresh?: boolean;
  /**
   * How long (ms) the agent must stay up to count as started, and an early "ready" signal: see
   * preflight.ts. Default `ready`: the agent reported an event since this launch (activity.ts `agentReported`).
   */
  startCheck?: Pick<StartCheckOptions, 'settleMs' | 'ready'>;
  /** The worktree as {@link prepareWorktree} just left it (`worker assign` prepares it first): not prepared again. */
  prepared?: PreparedWorktree;
}

/** Result of {@link openWorker}. `alreadyRunning`: the pane was alive, nothing was spawned or typed. */
export interface OpenedWorker {
  id: string;
  alreadyRunning: boolean;
  paneId: string;
  controllerPaneId?: string;
  backend: string;
  worktree: string;
  branch: string;
  worktreeCreated: boolean;
  launchCommand?: string;
  /** Whether the provider process was seen running after the launch command (false: still starting). */
  started?: boolean;
  /** The provider conversation: its id (chosen up front or resumed), whether it was resumed. */
  sessionId?: string;
  resumed?: boolean;
  /** Whether `task` went on the launch command line (else the caller types it). */
  taskOnCommandLine?: boolean;
  /** The worker's activity once the agent started (ready, or attention with the dialog), see activity.ts. */
  activity?: ActivityInfo;
  /** A command line that shows the pane to a person (`tmux attach -t <session>`…), when the backend has one. */
  attachCommand?: string;
  warnings: string[];
}

/** Whether worker `config`'s pane (in the project at `root`) runs its provider, and the backend that knows. */
export async function liveness(root: string, config: WorkerConfig, options: SessionOptions): Promise<{ alive: boolean; backend?: SessionBackend }> {
  if (!config.pane_id) return { alive: false };
  const backend = await backendFor(options, config.backend);
  return { alive: await backend.isAlive(config.pane_id, paneOwner(root, config.worker_id)), backend };
}

/**
 * `worker open`: prepares the worktree, spawns the pane (env: AGENT_TEAM_WORKER_ID and the backend's
 * variables), records `pane_id`, `controller_pane_id` and `backend`, and types the launch command. When
 * the recorded pane still has a shell but no provider, the launch command is typed there instead of
 * spawning. Already running: returns `alreadyRunning` (provider/model changes are still saved).
 * A launch command from `.agents/config.yaml` needs a trusted project: else OperationError
 * `untrusted_project`/`trust_changed` before anything is changed (see trust/check.ts).
 */
export async function openWorker(root: string, id: string, options: OpenWorkerOptions = {}): Promise<OpenedWorker> {
  assertName('worker id', id);
  let config = readWorkerConfig(root, id);
  assertTrusted(root, launchCommandsNeedingTrust(root, options.provider ?? (config.provider || DEFAULT_PROVIDER)), options.env ?? process.env);
  if (options.provider !== undefined) assertProvider(root, options.provider);
  if (options.model !== undefined) assertModel(options.model);
  if (options.provider !== undefined || options.model !== undefined) {
    config = await updateWorkerConfig(root, id, (c) => {
      if (options.provider !== undefined) c.provider = options.provider;
      if (options.model !== undefined) c.default_model = options.model;
    });
  }
  const provider = config.provider || DEFAULT_PROVIDER;
  const paths = workerPaths(root, id);
  const env = options.env ?? process.env;

  const live = await liveness(root, config, options);
  if (live.alive && live.backend) {
    return {
      id,
      alreadyRunning: true,
      paneId: config.pane_id,
      controllerPaneId: config.controller_pane_id,
      backend: live.backend.name,
      worktree: paths.worktree,
      branch: paths.branch,
      worktreeCreated: false,
      attachCommand: await live.backend.attachCommand(config.pane_id).catch(() => undefined),
      warnings: [],
    };
  }

  // An open interrupted between creating the pane and saving pane_id left the worker's own tagged pane
  // (and its session, named after the worker) behind: adopt it when the agent runs there, else close it.
  const adopted = await adoptOrCloseStrays(root, id, config, options);
  if (adopted) return { ...adopted, worktree: paths.worktree, branch: paths.branch };

  // Before any pane exists: a missing binary would leave a shell that later text runs in.
  assertProviderInstalled(id, provider, launchCommand(root, provider, config.default_model || undefined), env, paths.worktree);
  const prepared = options.prepared ?? (await prepareWorktree(root, id, options));
  const backend = await backendFor(options, config.backend, true);
  const owner = paneOwner(root, id);
  const controllerPane = currentControllerPane(backend, env);
  const warnings = [...prepared.warnings];
  const launch: LaunchResult = await planLaunch(root, id, config, prepared.worktree, { task: options.task, fresh: options.fresh, env, now: options.now });
  const command = launch.command;
  warnings.push(...launch.warnings);
  if (!controllerPane) warnings.push(`no controller pane found (TMUX_PANE/WEZTERM_PANE not set): ${id}'s replies are not typed to you, but reply-main still records them on the run, and agent-team workflow run <state-file> --wait returns when one arrives`);

  // A pane whose provider exited keeps its shell: type the launch command there rather than spawn a twin.
  let paneId: string | undefined;
  let commandStarted = false;
  const launchMark = join(paths.dir, 'launch-started');
  const endMark = join(paths.dir, 'launch-ended');
  if (config.pane_id && live.backend && live.backend.name === backend.name && (await backend.owns(config.pane_id, owner))) {
    try {
      await saveSession(root, id, config.pane_id, controllerPane, backend.name);
      await backend.sendText(config.pane_id, command);
      paneId = config.pane_id;
    } catch (err) {
      if (!hasCode(err, 'pane_gone')) throw err;
    }
  }
  if (paneId === undefined) {
    // A backend that can start the launch command as the pane's own program (tmux) does: no prompt to
    // wait for, nothing typed, the title set in the same call. Others get it typed into the new shell.
    // The pane program first marks that the launch begins (a shell builtin, after the shell's start-up
    // files): the start check then tells the agent from programs those files run (pyenv, nvm…). It
    // marks the end of the launch command too: the agent's exit is seen there, not by polling the pane.
    rmSync(launchMark, { force: true });
    rmSync(endMark, { force: true });
    const marked = `: > ${shellQuote(launchMark)}\n${command}\n: > ${shellQuote(endMark)}`;
    const pane = await backend.spawn({ workerId: id, root, cwd: prepared.worktree, stateDir: paths.dir, env: paneEnv(id, backend, env), newWindow: options.newWindow, command: marked });
    commandStarted = pane.commandStarted === true;
    paneId = pane.paneId;
    await saveSession(root, id, paneId, controllerPane, backend.name);
    // the title is cosmetic: set while the launch command is typed, one multiplexer round trip less
    if (!pane.commandStarted) await Promise.all([backend.setTitle(paneId, id).catch(() => undefined), backend.sendText(paneId, command)]);
  }
  // Throws (pane closed, exit 1) when the agent never shows up or quits at once (claude as root). An
  // agent whose hooks report (session-start, or the first task's prompt-submit) is up as soon as it says so.
  const ready = async () => agentReported(readEvents(root, id));
  // A pane program that marks its launch is watched through those marks and the agent's events.
  const marks = commandStarted ? { launched: () => existsSync(launchMark), ended: () => existsSync(endMark), watch: paths.dir } : {};
  await awaitAgentStart(root, backend, paneId, owner, { provider, command }, { startTimeoutMs: options.startTimeoutMs, settleMs: settleBound(env), ready, ...marks, ...options.startCheck });
  const started = true;
  const attachCommand = backend.attachCommand(paneId).catch(() => undefined); // asked while the agent starts
  const activity = await waitForStart(root, id, launch.adapter, backend, paneId, options.startTimeoutMs, env);
  if (activity?.activity === 'attention') warnings.push(`${id} needs you: ${activity.reason ?? activity.dialog?.name}; agent-team never answers it`);
  return {
    id,
    alreadyRunning: false,
    paneId,
    controllerPaneId: controllerPane,
    backend: backend.name,
    worktree: prepared.worktree,
    branch: prepared.branch,
    worktreeCreated: prepared.worktreeCreated,
    launchCommand: command,
    started,
    sessionId: launch.sessionId,
    resumed: launch.resumed,
    taskOnCommandLine: launch.taskOnCommandLine,
    activity,
    attachCommand: await attachCommand,
    warnings,
  };
}

/**
 * Worker `id`'s stray panes ({@link strayPanes}): the first one whose agent is alive is recorded as the
 * worker's pane and returned as already running; the others (only a shell, or dead) are killed.
 */
async function adoptOrCloseStrays(root: string, id: string, config: WorkerConfig, options: OpenWorkerOptions): Promise<Omit<OpenedWorker, 'worktree' | 'branch'> | undefined> {
  const backend = await backendFor(options, config.backend, true);
  const owner = paneOwner(root, id);
  const strays = await strayPanes(backend, root, id, config.pane_id || undefined);
  if (strays.length === 0) return undefined;
  const alive = await backend.aliveMany(strays, new Map(strays.map((p) => [p, owner])));
  const running = strays.find((p) => alive.get(p) === true);
  for (const stray of strays) if (stray !== running) await backend.kill(stray);
  if (running === undefined) return undefined;
  const controllerPane = currentControllerPane(backend, options.env ?? process.env);
  await saveSession(root, id, running, controllerPane, backend.name);
  return {
    id,
    alreadyRunning: true,
    paneId: running,
    controllerPaneId: controllerPane ?? config.controller_pane_id,
    backend: backend.name,
    worktreeCreated: false,
    attachCommand: await backend.attachCommand(running).catch(() => undefined),
    warnings: [`${id}'s agent was running in pane ${running}, which worker.yaml did not record (an interrupted open); recorded it`],
  };
}

async function saveSession(root: string, id: string, paneId: string, controllerPane: string | undefined, backend: string): Promise<void> {
  await updateWorkerConfig(root, id, (c) => {
    c.pane_id = paneId;
    if (controllerPane) c.controller_pane_id = controllerPane;
    c.backend = backend;
    c.worktree_created = true;
  });
}

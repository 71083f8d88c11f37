/**
 * The one place src/worker meets src/session: choosing a backend for a worker, the controller's pane id,
 * and the environment a worker's pane gets (so `reply-main` inside it reaches the same server).
 */
import { BACKEND_NAMES, type BackendName, type PaneOwner, type SessionBackend } from '../session/backend.js';
import { controllerPaneId, getBackend } from '../session/index.js';
import { UsageError } from '../errors.js';
import { agentTeamHome } from '../store/paths.js';

/** Injection point for tests and the controller loop: a fixed backend instead of the env's choice. */
export interface SessionOptions {
  env?: NodeJS.ProcessEnv;
  backend?: SessionBackend;
}

/** Options shared by the worker verbs: env (default process.env), an injected backend, the clock. */
export interface LifecycleOptions extends SessionOptions {
  now?: Date;
}

/** Throws UsageError unless `name` is a backend name. */
function asBackendName(name: string): BackendName {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown session backend ${JSON.stringify(name)}; known: ${BACKEND_NAMES.join(', ')}`);
  return name as BackendName;
}

/**
 * The backend to use: the injected one, else `recorded` (the backend a worker's pane was made with),
 * else `AGENT_TEAM_BACKEND`, else auto-detected. With `preferEnv`, `AGENT_TEAM_BACKEND` beats `recorded`
 * (for spawning a new pane).
 */
export async function backendFor(options: SessionOptions, recorded?: string, preferEnv = false): Promise<SessionBackend> {
  if (options.backend) return options.backend;
  const env = options.env ?? process.env;
  const fromEnv = env.AGENT_TEAM_BACKEND || undefined;
  const name = preferEnv ? (fromEnv ?? (recorded || undefined)) : ((recorded || undefined) ?? fromEnv);
  return getBackend(name === undefined ? undefined : asBackendName(name), env);
}

/** The controller's pane (`TMUX_PANE` / `WEZTERM_PANE` / the process backend's), or undefined. */
export function currentControllerPane(backend: SessionBackend, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return controllerPaneId(env, backend.name) || undefined;
}

/** The owner of worker `id`'s pane in the project at `root` (what every ownership check compares). */
export function paneOwner(root: string, id: string): PaneOwner {
  return { root, workerId: id };
}

/**
 * Variables passed on to worker panes: agent-team inside them talks to the same server and home; the
 * pane looks for the provider on the `PATH` `worker open` checked (a tmux server keeps the environment
 * it started with); `IS_SANDBOX=1` is how claude allows its bypass mode as root.
 */
export const PASSTHROUGH_ENV = ['AGENT_TEAM_TMUX_SOCKET', 'AGENT_TEAM_HOME', 'AGENT_TEAM_WEZTERM_SOCKET', 'PATH', 'IS_SANDBOX'];

/**
 * The env additions of a worker pane: `AGENT_TEAM_WORKER_ID`, `AGENT_TEAM_BACKEND` and {@link PASSTHROUGH_ENV}
 * (`AGENT_TEAM_HOME` made absolute, so a worker in its own worktree uses the controller's home).
 */
export function paneEnv(workerId: string, backend: SessionBackend, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { AGENT_TEAM_WORKER_ID: workerId, AGENT_TEAM_BACKEND: backend.name };
  for (const key of PASSTHROUGH_ENV) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = key === 'AGENT_TEAM_HOME' ? agentTeamHome(env) : value;
  }
  return out;
}

/**
 * Session backends behind one interface: pick one (`AGENT_TEAM_BACKEND`, else detected), get it, find
 * which backend a stored pane id belongs to, and read the controller's own pane id. The backends import
 * only Node built-ins, so loading this module stays cheap on the CLI's hot path.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from '../errors.js';
import { BACKEND_NAMES, type BackendName, type SessionBackend } from './backend.js';
import { PROCESS_PANE_ID, ProcessBackend } from './process.js';
import { TMUX_PANE_ID } from './tmux-args.js';
import { TmuxBackend } from './tmux.js';
import { WEZTERM_PANE_ID, WeztermBackend } from './wezterm.js';

export type { BackendName, SessionBackend } from './backend.js';
export { waitFor, WaitTimeoutError } from './wait.js';

/** Whether `value` is one of {@link BACKEND_NAMES}. */
export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/** Whether an executable named `command` is in one of `PATH`'s folders. Sync, no process spawned. */
export function onPath(command: string, path: string | undefined): boolean {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * Which backend to use: `AGENT_TEAM_BACKEND` when set (throws UsageError `unknown_backend`, exit 2,
 * listing the choices, for anything but tmux|wezterm|process); else `tmux` inside tmux (`TMUX`),
 * `wezterm` inside WezTerm (`WEZTERM_PANE`), `tmux` when on `PATH`, else headless `process`.
 */
export function detectBackend(env: NodeJS.ProcessEnv = process.env): BackendName {
  const chosen = env.AGENT_TEAM_BACKEND;
  if (chosen !== undefined && chosen !== '') {
    if (isBackendName(chosen)) return chosen;
    throw new UsageError(`AGENT_TEAM_BACKEND=${chosen} is not a session backend; choose one of ${BACKEND_NAMES.join(', ')}`, {
      code: 'unknown_backend',
      hint: `AGENT_TEAM_BACKEND=${BACKEND_NAMES.join('|')}`,
      details: { choices: [...BACKEND_NAMES] },
    });
  }
  if (env.TMUX) return 'tmux';
  if (env.WEZTERM_PANE) return 'wezterm';
  if (onPath('tmux', env.PATH)) return 'tmux';
  return 'process';
}

/** A backend by name (default: {@link detectBackend}), reading its settings from `env`. Throws like detectBackend. */
export function getBackend(name?: BackendName, env: NodeJS.ProcessEnv = process.env): SessionBackend {
  switch (name ?? detectBackend(env)) {
    case 'tmux':
      return new TmuxBackend({ env });
    case 'wezterm':
      return new WeztermBackend({ env });
    case 'process':
      return new ProcessBackend({ env });
  }
}

/** Which backend made a stored pane id: `%12` tmux, `7` wezterm, `proc:<pid>:<dir>` process; undefined otherwise. */
export function paneBackendName(paneId: string): BackendName | undefined {
  if (TMUX_PANE_ID.test(paneId)) return 'tmux';
  if (WEZTERM_PANE_ID.test(paneId)) return 'wezterm';
  if (PROCESS_PANE_ID.test(paneId)) return 'process';
  return undefined;
}

/**
 * The pane the CLI runs in, to record as a worker's `controller_pane_id`: `TMUX_PANE`, else
 * `WEZTERM_PANE`, else `AGENT_TEAM_PANE` (set in every process pane); with `backend`, only that
 * backend's variable. Undefined when none is set (e.g. a headless controller not started by us).
 */
export function controllerPaneId(env: NodeJS.ProcessEnv = process.env, backend?: BackendName): string | undefined {
  const byBackend: Record<BackendName, string | undefined> = {
    tmux: env.TMUX_PANE,
    wezterm: env.WEZTERM_PANE,
    process: env.AGENT_TEAM_PANE,
  };
  const value = backend ? byBackend[backend] : (byBackend.tmux || byBackend.wezterm || byBackend.process);
  return value || undefined;
}

/**
 * The session backend interface: how worker panes are made, typed into, checked and killed. Three
 * implementations: `tmux` (one named session per worker), `wezterm` (`wezterm cli`), and headless
 * `process` (a detached child with a FIFO for input and a log file). Text is always delivered
 * literally (multi-line safe, never through a shell).
 */

/** Backend names, as accepted by `AGENT_TEAM_BACKEND`. */
export const BACKEND_NAMES = ['tmux', 'wezterm', 'process'] as const;
/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What `spawn` needs: a worker id (session/pane title), the folder to start in, and env additions. */
export interface SpawnRequest {
  workerId: string;
  cwd: string;
  /** Folder for backend files of this worker (FIFO, log, pid): `.agents/workers/<id>/`. */
  stateDir: string;
  env?: Record<string, string>;
  /** Open a new window/tab instead of a split or detached session, where the backend has the notion. */
  newWindow?: boolean;
}

/** A live pane as the backend sees it. `paneId` is what `worker.yaml` stores in `pane_id`. */
export interface PaneInfo {
  paneId: string;
  /** Whether a program other than the idle shell runs in the pane (the provider), when knowable. */
  busy?: boolean;
}

/** One backend. Every method throws OperationError when the multiplexer itself fails. */
export interface SessionBackend {
  readonly name: BackendName;
  /** Creates the pane running an interactive shell in `cwd`; resolves once it accepts input (bounded wait). */
  spawn(request: SpawnRequest): Promise<PaneInfo>;
  /** Types `text` literally into the pane and presses Enter. */
  sendText(paneId: string, text: string): Promise<void>;
  /** Whether the pane exists and its provider process is alive. */
  isAlive(paneId: string): Promise<boolean>;
  /** Liveness of many panes with one backend query (for `worker status`). */
  aliveMany(paneIds: string[]): Promise<Map<string, boolean>>;
  /** Kills the pane (no error when already gone). */
  kill(paneId: string): Promise<void>;
  /** Sets the pane's title (no-op where unsupported). */
  setTitle(paneId: string, title: string): Promise<void>;
}

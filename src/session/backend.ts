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

/**
 * A live pane as the backend sees it. `paneId` is what `worker.yaml` stores in `pane_id`; its form names
 * the backend: tmux `%12`, wezterm `7` (digits), process `proc:<pid>:<absolute stateDir>`.
 */
export interface PaneInfo {
  paneId: string;
  /** Whether a program other than the idle shell runs in the pane (the provider), when knowable. */
  busy?: boolean;
  /**
   * From `spawn`: true when the shell showed it reads input (e.g. printed its prompt) within the bound;
   * false when the bound passed first (the pane exists and typed text is buffered, so callers may go on).
   */
  ready?: boolean;
}

/** Options of {@link SessionBackend.sendText}. */
export interface SendOptions {
  /** Press Enter after the text (default true). False: the text waits in the program's input. */
  submit?: boolean;
}

/** One backend. Every method throws OperationError when the multiplexer itself fails. */
export interface SessionBackend {
  readonly name: BackendName;
  /**
   * Creates the pane running a shell in `cwd`; resolves once it accepts input (bounded wait, see
   * {@link PaneInfo.ready}). Throws OperationError `pane_exists` when the worker already has a live pane.
   */
  spawn(request: SpawnRequest): Promise<PaneInfo>;
  /**
   * Types `text` literally into the pane (multi-line text arrives as one paste, newlines do not submit
   * early where the program supports bracketed paste) and presses Enter. Throws OperationError
   * `pane_gone` when the pane does not exist, UsageError when `paneId` is not this backend's. With
   * `submit: false` no Enter follows; `sendText(pane, '')` presses Enter alone.
   */
  sendText(paneId: string, text: string, options?: SendOptions): Promise<void>;
  /**
   * The pane's last `lines` lines of text as shown (ANSI sequences removed, trailing blank lines
   * dropped); tmux: the visible screen, process: the end of the output log. [] when the pane is gone.
   */
  capture(paneId: string, lines?: number): Promise<string[]>;
  /**
   * Whether the pane exists and its provider process is alive: a program other than the idle shell runs
   * in it. False for an idle shell, a dead pane, or a pane id of another backend.
   */
  isAlive(paneId: string, owner?: string): Promise<boolean>;
  /**
   * {@link isAlive} for many panes with one backend query (for `worker status`); every id is a key.
   * With `owners` (pane id → worker id), a pane that exists but is not that worker's counts as not alive:
   * pane ids are reused (tmux numbers from %0 again after a server restart), so a stale `pane_id` may
   * name somebody else's pane.
   */
  aliveMany(paneIds: string[], owners?: ReadonlyMap<string, string>): Promise<Map<string, boolean>>;
  /**
   * Whether the pane exists and belongs to worker `owner` (tmux: the session or window named after it;
   * process: its state folder; wezterm: cannot tell, so any existing pane). Guards typing into, or
   * killing, a reused pane id.
   */
  owns(paneId: string, owner: string): Promise<boolean>;
  /** Kills the pane (no error when already gone). */
  kill(paneId: string): Promise<void>;
  /** Sets the pane's title (no-op where unsupported). */
  setTitle(paneId: string, title: string): Promise<void>;
}

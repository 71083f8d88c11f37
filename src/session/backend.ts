/**
 * The session backend interface: how worker panes are made, typed into, checked and killed. Three
 * implementations: `tmux` (one named session per worker), `wezterm` (`wezterm cli`), and headless
 * `process` (a detached child with a FIFO for input and a log file). Text is always delivered
 * literally (multi-line safe, never through a shell).
 */
import { statSync } from 'node:fs';
import { OperationError } from '../errors.js';

/** Every backend's check before `spawn`: throws OperationError `cwd_missing` unless `cwd` is an existing folder. */
export function assertPaneCwd(cwd: string): void {
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new OperationError(`cannot open a pane in ${cwd}: not a folder`, { code: 'cwd_missing' });
}

/** Backend names, as accepted by `AGENT_TEAM_BACKEND`. */
export const BACKEND_NAMES = ['tmux', 'wezterm', 'process'] as const;
/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * Who a pane belongs to: the project (the main repository's absolute root, as `git rev-parse
 * --show-toplevel` prints it) and the worker id. Pane ids are reused (tmux numbers from %0 again after a
 * server restart) and one tmux server serves many projects, so a pane counts as a worker's only when
 * both match.
 */
export interface PaneOwner {
  root: string;
  workerId: string;
}

/**
 * What holds a pane's terminal, for "never type into a shell": `program` — a process other than a shell
 * reads the input (the agent, or whatever else runs); `shell` — a shell would read the text and run it;
 * `gone` — no such pane (or not the owner's); `unknown` — the backend cannot tell (typing is refused).
 */
export interface PaneForeground {
  kind: 'program' | 'shell' | 'gone' | 'unknown';
  /** The foreground process's name as the backend saw it (`claude`, `node`, `bash`), when known. */
  command?: string;
}

/** What `spawn` needs: a worker id (session/pane title), the folder to start in, and env additions. */
export interface SpawnRequest {
  workerId: string;
  /**
   * The project (main repository root) the pane is for. tmux names the session after it and tags the
   * pane with it (`@agent_team_root`); without it the pane belongs to no project.
   */
  root?: string;
  cwd: string;
  /** Folder for backend files of this worker (FIFO, log, pid): `.agents/workers/<id>/`. */
  stateDir: string;
  env?: Record<string, string>;
  /** Open a new window/tab instead of a split or detached session, where the backend has the notion. */
  newWindow?: boolean;
  /**
   * A command line (POSIX shell syntax, e.g. a provider's launch command) the backend may start as the
   * pane's own program, so nothing is typed; the pane keeps an interactive shell after it exits. A
   * backend that does so says {@link PaneInfo.commandStarted}; otherwise the caller types it.
   */
  command?: string;
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
  /** True when the backend started {@link SpawnRequest.command} itself (the caller must not type it). */
  commandStarted?: boolean;
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
  isAlive(paneId: string, owner?: PaneOwner): Promise<boolean>;
  /**
   * {@link isAlive} for many panes with one backend query (for `worker status`); every id is a key.
   * With `owners` (pane id → owner), a pane that exists but is not that owner's counts as not alive:
   * a stale `pane_id` may name somebody else's pane.
   */
  aliveMany(paneIds: string[], owners?: ReadonlyMap<string, PaneOwner>): Promise<Map<string, boolean>>;
  /**
   * Whether the pane exists and belongs to `owner` (tmux: the `@agent_team_root`/`@agent_team_worker`
   * pane options set at creation; process: its state folder `<root>/…/<worker id>`; wezterm: the tab
   * title set at spawn, the project-scoped worker name). Guards typing into, or killing, a reused pane id.
   */
  owns(paneId: string, owner: PaneOwner): Promise<boolean>;
  /**
   * What holds the pane's terminal (see {@link PaneForeground}); with `owner`, a pane that is not the
   * owner's is `gone`. Asked right before typing, so text never reaches a shell.
   */
  foreground(paneId: string, owner?: PaneOwner): Promise<PaneForeground>;
  /**
   * Shows `text` to the person at the pane without typing it (tmux: `display-message` on the clients
   * attached to the pane's session; process: a line in the pane's log). Resolves false when nobody
   * could be shown it (no client attached, pane gone, or the backend has no way).
   */
  notify(paneId: string, text: string): Promise<boolean>;
  /**
   * A command line, safe to paste into bash, that shows the pane to a person (tmux `tmux attach -t
   * <session>`, wezterm `wezterm cli activate-pane`, process `tail -f <log>`); undefined when gone.
   */
  attachCommand(paneId: string): Promise<string | undefined>;
  /**
   * Every pane tagged as `owner`'s, whether or not worker.yaml records it (tmux: both pane options
   * match; a `worker open` interrupted between spawn and saving `pane_id` leaves one). Optional: a
   * backend without it finds a worker's pane by the recorded id alone.
   */
  ownedPanes?(owner: PaneOwner): Promise<string[]>;
  /**
   * {@link isAlive} and, when alive, {@link capture} of the last `lines` lines, with one multiplexer
   * call where the backend can chain them (tmux). Optional: without it, callers ask both in turn.
   */
  look?(paneId: string, owner: PaneOwner | undefined, lines: number): Promise<{ alive: boolean; screen?: string[] }>;
  /** Kills the pane (no error when already gone). */
  kill(paneId: string): Promise<void>;
  /** Sets the pane's title (no-op where unsupported). */
  setTitle(paneId: string, title: string): Promise<void>;
}

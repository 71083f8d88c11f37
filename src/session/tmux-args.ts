/**
 * tmux command lines and the `list-panes` format the tmux backend (tmux.ts) uses: pure functions, no
 * tmux is run here. Session names, the pane program, the owner tags set at spawn and read back by every
 * ownership check.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import { shellQuote } from '../shell-quote.js';
import type { PaneOwner, SpawnRequest } from './backend.js';
/** tmux pane ids: `%` and digits. */
export const TMUX_PANE_ID = /^%\d+$/;


/** Arguments that select the tmux server: `['-L', name]`, `['-S', path]` when the value is a path (has a `/`), or none for the default server. */
export function tmuxServerArgs(socket: string | undefined): string[] {
  if (!socket) return [];
  return socket.includes('/') ? ['-S', socket] : ['-L', socket];
}

/** The pane options that say whose a pane is (set at creation, read back by every ownership check). */
export const OWNER_OPTIONS = { root: '@agent_team_root', worker: '@agent_team_worker' } as const;

/**
 * The tmux session name of worker `workerId` of the project at `root`: `<repo name>-<first 4 hex of the
 * SHA-256 of root>-<worker id>`, every character tmux or a shell would treat specially (`.`, `:`,
 * spaces, quotes…) replaced by `_`. Without `root` (a pane of no project), the worker id alone.
 */
export function tmuxSessionName(root: string | undefined, workerId: string): string {
  const raw = root === undefined ? workerId : `${basename(root) || 'root'}-${createHash('sha256').update(root).digest('hex').slice(0, 4)}-${workerId}`;
  return raw.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * An argument as tmux should receive it: tmux reads an argument that ends in `;` as the end of a command
 * (even a lone one), and turns a final `\\;` into `;`, so a final `;` is sent as `\\;`.
 */
export function tmuxArg(value: string): string {
  return value.endsWith(';') ? `${value.slice(0, -1)}\\;` : value;
}

/**
 * The tmux command (without the server arguments) that creates a worker's pane and prints its id:
 * `new-session -d -s <session name>` by default, `new-window -d -a -t <afterWindow> -n <id>` when
 * `afterWindow` (a target window such as `$0:1`) is given. Env additions become `-e K=V`; `request.command`
 * becomes the pane's program ({@link paneProgram} with `shell`, default `/bin/sh`). A new session is tagged
 * ({@link tmuxTagArgs}) and titled in the same call (`;`-joined); a new window is left to the caller. Throws
 * UsageError for a worker id tmux cannot name a session.
 */
export function tmuxSpawnArgs(request: SpawnRequest, afterWindow?: string, shell?: string): string[] {
  if (request.workerId === '' || /[:.\s]/.test(request.workerId)) {
    throw new UsageError(`worker id "${request.workerId}" cannot name a tmux session (no ':', '.' or spaces)`);
  }
  const env = Object.entries(request.env ?? {}).flatMap(([k, v]) => ['-e', tmuxArg(`${k}=${v}`)]);
  const session = tmuxSessionName(request.root, request.workerId);
  const where = afterWindow ? ['new-window', '-d', '-a', '-t', afterWindow, '-n', request.workerId] : ['new-session', '-d', '-s', session];
  const program = request.command === undefined ? [] : paneProgram(request.command, shell ?? '/bin/sh').map(tmuxArg);
  const args = [...where, '-c', tmuxArg(request.cwd), '-P', '-F', '#{pane_id}', ...env, ...program];
  if (afterWindow) return args;
  // A new session's only pane is tagged and titled in the same tmux call (one client start instead of
  // three), named by the exact session (`=name:`): untargeted, they would go to TMUX_PANE's pane.
  const pane = `=${session}:`;
  return [...args, ';', ...tmuxTagArgs(pane, request), ';', 'select-pane', '-t', pane, '-T', request.workerId];
}

/**
 * The pane's own program for a launch `command`: `<shell> -l -i -c '<command>\nexec <shell> -l'`. The
 * shell is started as tmux starts a pane's shell (login, interactive: the user's start-up files run, and
 * job control gives the command its own process group, which the liveness rule needs), runs the
 * command, then becomes the interactive shell the pane keeps after the agent exits. A newline, not `;`,
 * separates them, so a command ending in a comment or `&` cannot swallow the `exec`.
 */
function paneProgram(command: string, shell: string): string[] {
  return [shell, '-l', '-i', '-c', `${command}\nexec ${shellQuote(shell)} -l`];
}

/**
 * The tmux command that tags pane `paneId` with its owner ({@link OWNER_OPTIONS}). It names the pane:
 * an untargeted command would tag the client's "current" pane, which is `TMUX_PANE`'s when set.
 */
export function tmuxTagArgs(paneId: string, request: SpawnRequest): string[] {
  const root = request.root === undefined ? [] : ['set-option', '-p', '-t', paneId, OWNER_OPTIONS.root, tmuxArg(request.root), ';'];
  return [...root, 'set-option', '-p', '-t', paneId, OWNER_OPTIONS.worker, request.workerId];
}

/** One pane as `list-panes -a` reports it, with its owner tags. */
export interface ListedPane {
  id: string;
  pid: number;
  dead: boolean;
  session: string;
  window: string;
  windowIndex: string;
  root: string;
  worker: string;
  command: string;
}

/** Whether a listed pane carries `owner`'s tags (panes without tags, e.g. made by older versions, are nobody's). */
export function ownedBy(pane: ListedPane, owner: PaneOwner): boolean {
  return pane.worker === owner.workerId && pane.root === owner.root;
}


/** `list-panes -a` with the fields of {@link ListedPane}, separated by US (\x1f): a project path may hold tabs or spaces. */
export function listArgs(): string[] {
  const format = ['#{pane_id}', '#{pane_pid}', '#{pane_dead}', '#{session_name}', '#{window_name}', '#{window_index}', `#{${OWNER_OPTIONS.root}}`, `#{${OWNER_OPTIONS.worker}}`, '#{pane_current_command}'].join('\x1f');
  return ['list-panes', '-a', '-F', format];
}

/** The panes in the output of {@link listArgs}. */
export function parsePanes(stdout: string): ListedPane[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', pid = '0', dead = '0', session = '', window = '', windowIndex = '', root = '', worker = '', command = ''] = line.split('\x1f');
      return { id, pid: Number(pid), dead: dead !== '0', session, window, windowIndex, root, worker, command };
    });
}

/** `capture-pane` of pane `paneId`'s screen and history, enough for its last `lines` lines once joined. */
export function captureArgs(paneId: string, lines: number): string[] {
  return ['capture-pane', '-p', '-J', '-t', paneId, '-S', `-${Math.max(lines, 1) * 4}`];
}

/**
 * tmux backend: one session per worker, named after the project and the worker
 * (`<repo name>-<4 hex of the root's hash>-<worker id>`, see {@link tmuxSessionName}), or, when asked for
 * a new window and the CLI runs inside tmux, a window named after the worker in the current session.
 * Every pane is tagged at creation with the pane options `@agent_team_root` and `@agent_team_worker`;
 * a pane is a worker's only when both match, so two projects on one server (or one server restarted,
 * which numbers panes from %0 again) never reach each other's panes. Pane ids are tmux's own (`%12`).
 * `AGENT_TEAM_TMUX_SOCKET=name` makes every call `tmux -L name`.
 *
 * Liveness rule: a pane is alive when tmux lists it, it is not dead (`#{pane_dead}`), and the terminal's
 * foreground process group is not the shell's own (`/proc/<pane_pid>/stat` tpgid ≠ pgrp, or `ps`
 * elsewhere) — i.e. the shell started a program (the provider) that still runs. An idle shell at its
 * prompt is not alive. This needs the pane to start a job-control shell: tmux's default, or, when
 * `spawn` is given the launch command, the user's shell as a login interactive shell (`-l -i -c`). The
 * foreground (for "never type into a shell") is `#{pane_current_command}`: the process tmux itself
 * sees holding the terminal.
 */
import { OperationError, UsageError } from '../errors.js';
import { assertPaneCwd, type PaneForeground, type PaneInfo, type PaneOwner, type SendOptions, type SessionBackend, type SpawnRequest } from './backend.js';
import { run, type RunResult } from './exec.js';
import { foregroundOf } from './foreground.js';
import { shellQuote } from '../shell-quote.js';
import { foregroundIsOther, processTree } from './proc-info.js';
import { lastLines, typable } from './text.js';
import { WaitTimeoutError, waitFor } from './wait.js';
import { captureArgs, listArgs, ownedBy, parsePanes, TMUX_PANE_ID, tmuxArg, tmuxServerArgs, tmuxSessionName, tmuxSpawnArgs, tmuxTagArgs, type ListedPane } from './tmux-args.js';

/** Options for {@link TmuxBackend}. */
export interface TmuxOptions {
  /** Environment for tmux calls; `AGENT_TEAM_TMUX_SOCKET`, `TMUX`, `TMUX_PANE` are read from it (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Bound on waiting for the new shell's prompt in ms (default 5000). */
  readyTimeoutMs?: number;
}

const MISSING_HINT = 'install tmux, or set AGENT_TEAM_BACKEND=process for headless workers';
const SERVER_EXITING = /server exited unexpectedly|lost server/i;
// "no current target": tmux 3.3a's answer while a server whose last session was killed is still exiting.
const GONE = /can't find (pane|window|session)|no server running|error connecting to|server exited|no current target/i;
/** The tmux backend. See the module comment for the liveness rule. */
export class TmuxBackend implements SessionBackend {
  readonly name = 'tmux' as const;
  /** The private server name from `AGENT_TEAM_TMUX_SOCKET`, if any. */
  readonly socket: string | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly readyTimeoutMs: number;
  private bufferSeq = 0;

  constructor(options: TmuxOptions = {}) {
    this.env = options.env ?? process.env;
    this.socket = this.env.AGENT_TEAM_TMUX_SOCKET || undefined;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 5000;
  }

  /** Runs tmux on our server; resolves whatever the exit code (throws only when tmux is missing/hangs). */
  private tmux(args: string[], input?: string): Promise<RunResult> {
    return run('tmux', [...tmuxServerArgs(this.socket), ...args], { input, env: this.env, missingHint: MISSING_HINT });
  }

  /** Runs tmux and returns trimmed stdout; throws OperationError (`pane_gone` when the target is gone). */
  private async tmuxOk(args: string[], input?: string): Promise<string> {
    const r = await this.tmux(args, input);
    if (r.code !== 0) {
      const message = r.stderr.trim() || `exit code ${r.code}`;
      throw new OperationError(`tmux ${args[0]} failed: ${message}`, {
        code: GONE.test(message) ? 'pane_gone' : 'tmux_failed',
        details: { args },
      });
    }
    return r.stdout.trim();
  }

  /** The pane new windows go next to: ours only when the CLI runs inside tmux on the same server. */
  private currentPane(): string | undefined {
    const pane = this.env.TMUX_PANE;
    const tmuxEnv = this.env.TMUX;
    if (!pane || !tmuxEnv) return undefined;
    const socketPath = tmuxEnv.split(',')[0] ?? '';
    if (this.socket && socketPath.split('/').pop() !== this.socket) return undefined;
    return pane;
  }

  /**
   * Creates the session (or window), tagged with its owner. With `request.command`, the pane runs it as
   * its own program ({@link paneProgram}) and `commandStarted` is set; otherwise waits until the shell
   * has drawn its prompt.
   */
  async spawn(request: SpawnRequest): Promise<PaneInfo> {
    assertPaneCwd(request.cwd);
    const current = request.newWindow ? this.currentPane() : undefined;
    // new-window cannot target a pane: put the window right after the controller's own window.
    const afterWindow = current ? await this.tmuxOk(['display-message', '-p', '-t', current, '#{session_id}:#{window_index}']) : undefined;
    // A server whose last session was just killed is still exiting; a client that reaches it then gets
    // "server exited unexpectedly". Retry (bounded) until a fresh server answers.
    // The pane's shell: tmux's own default is $SHELL; a relative or missing one would not start.
    const shell = this.env.SHELL?.startsWith('/') ? this.env.SHELL : '/bin/sh';
    const args = tmuxSpawnArgs(request, afterWindow, shell);
    const r = await waitFor(
      async () => {
        const attempt = await this.tmux(args);
        return attempt.code !== 0 && SERVER_EXITING.test(attempt.stderr) ? undefined : attempt;
      },
      { timeoutMs: 2000, intervalMs: 10, description: 'the tmux server to accept a new session' },
    );
    if (r.code !== 0) {
      const message = r.stderr.trim();
      if (/duplicate session/.test(message)) {
        const session = tmuxSessionName(request.root, request.workerId);
        // Reached only when the session is not tagged as this worker's (worker open closes or adopts its
        // own first): somebody else's, so it is left alone and only named. `=name` matches it exactly.
        const kill = ['tmux', ...tmuxServerArgs(this.socket), 'kill-session', '-t', `=${session}`].map(shellQuote).join(' ');
        throw new OperationError(`tmux session ${session} already exists`, {
          code: 'pane_exists',
          details: { session },
          hint: `it is not tagged as ${request.workerId}'s pane, so agent-team leaves it alone; look at it (${this.attachLine(session)}), and if nothing in it is needed remove it: ${kill}`,
        });
      }
      throw new OperationError(`tmux could not create a pane for ${request.workerId}: ${message || `exit code ${r.code}`}`, { code: 'tmux_failed' });
    }
    const paneId = r.stdout.trim();
    if (!TMUX_PANE_ID.test(paneId)) throw new OperationError(`tmux printed "${paneId}" instead of a pane id`, { code: 'tmux_failed' });
    if (afterWindow) await this.tmuxOk(tmuxTagArgs(paneId, request));
    if (request.command !== undefined) {
      // The command runs as the pane's program: no prompt to wait for, nothing to type. Whether it started
      // (or quit at once) is the caller's start check (worker/preflight.ts), as for a typed one.
      if (afterWindow) await this.setTitle(paneId, request.workerId);
      return { paneId, busy: false, commandStarted: true };
    }
    const ready = await this.waitReady(paneId);
    return { paneId, busy: false, ready };
  }

  /**
   * Ready = the shell moved the cursor (it printed its prompt). Polls every 10 ms; false when the bound
   * passes first; throws OperationError `pane_gone` when the pane died (e.g. the shell exited at once).
   */
  private async waitReady(paneId: string): Promise<boolean> {
    try {
      return await waitFor(
        async () => {
          const r = await this.tmux(['display-message', '-p', '-t', paneId, '#{pane_dead} #{cursor_x} #{cursor_y}']);
          const [dead, x, y] = r.stdout.trim().split(' ');
          if (r.code !== 0 || dead === '1') {
            throw new OperationError(`the shell in pane ${paneId} exited right after it started`, { code: 'pane_gone' });
          }
          return x !== '0' || y !== '0';
        },
        { timeoutMs: this.readyTimeoutMs, intervalMs: 10, description: `pane ${paneId} to show a prompt` },
      );
    } catch (error) {
      if (error instanceof WaitTimeoutError) return false;
      throw error;
    }
  }

  /**
   * Leaves copy mode if the pane is in it, pastes `text` from a tmux buffer (`load-buffer -` from stdin,
   * `paste-buffer -p -r -d`: bracketed when the program asked for it, newlines kept as LF), then sends
   * Enter with `send-keys`.
   */
  async sendText(paneId: string, text: string, options: SendOptions = {}): Promise<void> {
    assertPane(paneId);
    text = typable(text); // a Ctrl-C or ESC in the text would act on the pane, not be typed
    // A pane someone scrolled (copy mode) would take Enter as a copy-mode key: leave the mode first.
    // The pane id is validated (%N), so the tmux command string cannot be anything else.
    await this.tmuxOk(['if-shell', '-F', '-t', paneId, '#{pane_in_mode}', `send-keys -t ${paneId} -X cancel`]);
    if (text !== '') {
      const buffer = `agent-team-${process.pid}-${++this.bufferSeq}`;
      try {
        await this.tmuxOk(['load-buffer', '-b', buffer, '-', ';', 'paste-buffer', '-d', '-p', '-r', '-b', buffer, '-t', paneId], text);
      } catch (error) {
        await this.tmux(['delete-buffer', '-b', buffer]).catch(() => undefined);
        throw error;
      }
    }
    if (options.submit !== false) await this.tmuxOk(['send-keys', '-t', paneId, 'Enter']);
  }

  /** See the module comment for the rule. */
  async isAlive(paneId: string, owner?: PaneOwner): Promise<boolean> {
    return (await this.aliveMany([paneId], owner === undefined ? undefined : new Map([[paneId, owner]]))).get(paneId) ?? false;
  }

  /** One `tmux list-panes -a` call for all panes, then the foreground check on the listed shells. */
  async aliveMany(paneIds: string[], owners?: ReadonlyMap<string, PaneOwner>): Promise<Map<string, boolean>> {
    const result = new Map<string, boolean>(paneIds.map((id) => [id, false]));
    const wanted = new Set(paneIds.filter((id) => TMUX_PANE_ID.test(id)));
    if (wanted.size === 0) return result;
    const shells = new Map<string, number>();
    for (const pane of await this.listPanes()) {
      const owner = owners?.get(pane.id);
      if (wanted.has(pane.id) && !pane.dead && (owner === undefined || ownedBy(pane, owner))) shells.set(pane.id, pane.pid);
    }
    const foreground = await foregroundIsOther([...shells.values()]);
    for (const [id, pid] of shells) result.set(id, foreground.get(pid) === true);
    return result;
  }

  /** The pane exists and carries `owner`'s `@agent_team_root` and `@agent_team_worker` tags. */
  async owns(paneId: string, owner: PaneOwner): Promise<boolean> {
    if (!TMUX_PANE_ID.test(paneId)) return false;
    return (await this.listPanes()).some((p) => p.id === paneId && ownedBy(p, owner));
  }

  /**
   * From `#{pane_current_command}` (one `list-panes -a`): gone when unlisted, dead, or not `owner`'s.
   * When that names a shell, a program in the same foreground process group still counts (a pane
   * started as `sh -c 'cat >> log'` keeps the non-interactive `sh` as group leader; Linux `/proc`).
   */
  async foreground(paneId: string, owner?: PaneOwner): Promise<PaneForeground> {
    if (!TMUX_PANE_ID.test(paneId)) return { kind: 'gone' };
    const pane = (await this.listPanes()).find((p) => p.id === paneId);
    if (!pane || pane.dead || (owner !== undefined && !ownedBy(pane, owner))) return { kind: 'gone' };
    const seen = foregroundOf(pane.command);
    if (seen.kind !== 'shell') return seen;
    const program = (await processTree(pane.pid, { foregroundOnly: true })).map((p) => foregroundOf(p.name)).find((f) => f.kind === 'program');
    return program ?? seen;
  }

  /** `capture-pane -p -J` of the screen and some history; trailing blank lines dropped. */
  async capture(paneId: string, lines = 50): Promise<string[]> {
    if (!TMUX_PANE_ID.test(paneId)) return [];
    const r = await this.tmux(captureArgs(paneId, lines));
    return r.code === 0 ? lastLines(r.stdout, lines) : [];
  }

  /**
   * {@link isAlive} and {@link capture} in one tmux client: `list-panes -a`, a separator line printed
   * by `display-message -p`, then `capture-pane` (which fails alone when the pane is gone; the list
   * before it still arrives). The screen is left out when the pane is not alive.
   */
  async look(paneId: string, owner: PaneOwner | undefined, lines: number): Promise<{ alive: boolean; screen?: string[] }> {
    if (!TMUX_PANE_ID.test(paneId)) return { alive: false };
    const separator = `agent-team-look-${process.pid}-${++this.bufferSeq}`;
    const r = await this.tmux([...listArgs(), ';', 'display-message', '-p', separator, ';', ...captureArgs(paneId, lines)]);
    const at = r.stdout.indexOf(`${separator}\n`);
    if (at < 0) {
      if (GONE.test(r.stderr)) return { alive: false };
      throw new OperationError(`tmux list-panes failed: ${r.stderr.trim() || `exit code ${r.code}`}`, { code: 'tmux_failed' });
    }
    const pane = parsePanes(r.stdout.slice(0, at)).find((p) => p.id === paneId);
    if (!pane || pane.dead || (owner !== undefined && !ownedBy(pane, owner))) return { alive: false };
    const alive = (await foregroundIsOther([pane.pid])).get(pane.pid) === true;
    return alive ? { alive, screen: r.code === 0 ? lastLines(r.stdout.slice(at + separator.length + 1), lines) : [] } : { alive };
  }

  /**
   * `display-message -d 0` (shown until a key is pressed) on every client attached to the pane's session;
   * `#` is doubled so the text is not read as a tmux format. False when no client is attached.
   */
  async notify(paneId: string, text: string): Promise<boolean> {
    if (!TMUX_PANE_ID.test(paneId)) return false;
    const session = await this.tmux(['display-message', '-p', '-t', paneId, '#{session_id}']);
    if (session.code !== 0) return false;
    const clients = await this.tmux(['list-clients', '-t', session.stdout.trim(), '-F', '#{client_name}']);
    if (clients.code !== 0) return false;
    const message = typable(text).replace(/\n/g, ' ').replace(/#/g, '##');
    let shown = false;
    for (const client of clients.stdout.split('\n').filter((c) => c !== '')) {
      const r = await this.tmux(['display-message', '-c', client, '-d', '0', tmuxArg(message)]);
      shown ||= r.code === 0;
    }
    return shown;
  }

  /** `tmux [-L socket] attach -t <session>` (plus `:<window>` for a worker window in another session). */
  async attachCommand(paneId: string): Promise<string | undefined> {
    const pane = (await this.listPanes()).find((p) => p.id === paneId);
    if (!pane) return undefined;
    // A worker window opened in the controller's session (newWindow): attach to that session at the window.
    const target = pane.worker !== '' && pane.session !== tmuxSessionName(pane.root || undefined, pane.worker) ? `${pane.session}:${pane.windowIndex}` : pane.session;
    return this.attachLine(target);
  }

  /** The pasteable `tmux … attach -t <target>` line for this backend's server. */
  private attachLine(target: string): string {
    return ['tmux', ...tmuxServerArgs(this.socket), 'attach', '-t', target].map(shellQuote).join(' ');
  }

  /** Every pane of the server (one `list-panes -a`), or none when no server runs. */
  private async listPanes(): Promise<ListedPane[]> {
    const r = await this.tmux(listArgs());
    if (r.code !== 0) {
      if (GONE.test(r.stderr)) return [];
      throw new OperationError(`tmux list-panes failed: ${r.stderr.trim() || `exit code ${r.code}`}`, { code: 'tmux_failed' });
    }
    return parsePanes(r.stdout);
  }

  /** Every listed pane carrying `owner`'s tags (one `list-panes -a`), dead ones included. */
  async ownedPanes(owner: PaneOwner): Promise<string[]> {
    return (await this.listPanes()).filter((p) => ownedBy(p, owner)).map((p) => p.id);
  }

  /** `kill-pane` (which also ends the window and session when it was their last pane); no error when gone. */
  async kill(paneId: string): Promise<void> {
    if (!TMUX_PANE_ID.test(paneId)) return;
    const r = await this.tmux(['kill-pane', '-t', paneId]);
    if (r.code !== 0 && !GONE.test(r.stderr)) {
      throw new OperationError(`tmux kill-pane failed: ${r.stderr.trim() || `exit code ${r.code}`}`, { code: 'tmux_failed' });
    }
  }

  /** `select-pane -T` (shown in `#{pane_title}` and pane borders; the shell may change it later). */
  async setTitle(paneId: string, title: string): Promise<void> {
    assertPane(paneId);
    await this.tmuxOk(['select-pane', '-t', paneId, '-T', title]);
  }
}


function assertPane(paneId: string): void {
  if (!TMUX_PANE_ID.test(paneId)) throw new UsageError(`"${paneId}" is not a tmux pane id (expected %<number>)`, { code: 'bad_pane_id' });
}

/**
 * WezTerm backend through `wezterm cli` (flags per https://wezterm.org/cli/cli/): `spawn` opens a tab
 * (or a window with `newWindow`) and prints the pane id, `send-text` types, `list --format json` lists
 * panes, `kill-pane` and `set-tab-title` (wezterm ≥ 20230408). Pane ids are WezTerm's numbers as
 * strings (`7`). Untested against a real WezTerm here: tested against a fake `wezterm` that answers
 * `spawn`, `list` (with `tab_title`) and `set-tab-title` as the documented CLI does.
 *
 * Liveness rule: the pane is listed, not `is_dead`, and some process on its terminal (`tty_name`) is in
 * the foreground group without being the session's shell (one `ps -A -o tty=,stat=` call for all
 * panes). WezTerm versions that do not report `tty_name` fall back to "listed and not dead".
 *
 * Ownership rule: `spawn` sets the new tab's title to the owner mark, the project-scoped name tmux uses
 * for the worker's session (`<repo name>-<4 hex of the root's hash>-<worker id>`). Programs cannot change
 * a tab title (their escape sequences set the pane title; `list` reports the tab's own as `tab_title`),
 * so a pane is the owner's only while its tab carries that mark: a pane id reused after WezTerm restarted,
 * another project's tab or a user's tab is not. A WezTerm that lists no `tab_title` at all (older than
 * 20230408, which also lacks `set-tab-title`) falls back to "listed and not dead".
 */
import { OperationError, UsageError } from '../errors.js';
import { assertPaneCwd, type PaneForeground, type PaneInfo, type PaneOwner, type SendOptions, type SessionBackend, type SpawnRequest } from './backend.js';
import { lastLines, typable } from './text.js';
import { run, type RunResult } from './exec.js';
import { foregroundOf } from './foreground.js';
import { shellQuote } from '../shell-quote.js';
import { busyTerminals, terminalForegrounds } from './proc-info.js';
import { tmuxSessionName } from './tmux-args.js';
import { WaitTimeoutError, waitFor } from './wait.js';

/** WezTerm pane ids: digits. */
export const WEZTERM_PANE_ID = /^\d+$/;

/** The fields of one `wezterm cli list --format json` entry we use (others are ignored). */
export interface WeztermPane {
  pane_id: number;
  tab_id?: number;
  title?: string;
  cursor_x?: number;
  cursor_y?: number;
  tty_name?: string | null;
  is_dead?: boolean;
  /** The tab's own title (set by `set-tab-title`; empty when none); absent on WezTerm before 20230408. */
  tab_title?: string;
}

/** The tab title that marks a pane as `owner`'s (see the module comment). */
export function weztermOwnerMark(owner: PaneOwner): string {
  return tmuxSessionName(owner.root, owner.workerId);
}

/** Whether listed pane `pane` is live and `owner`'s (any live pane when no owner is asked for). */
function ownedBy(pane: WeztermPane, owner: PaneOwner | undefined): boolean {
  if (pane.is_dead) return false;
  if (owner === undefined || pane.tab_title === undefined) return true;
  return pane.tab_title === weztermOwnerMark(owner);
}

const MISSING_HINT = 'run inside WezTerm with `wezterm` on PATH, or set AGENT_TEAM_BACKEND=tmux|process';

/**
 * `wezterm cli spawn` arguments: `--cwd`, `--new-window` when asked, then `-- <shell>`, prefixed with
 * `env K=V…` when there are env additions (wezterm cli has no env flag).
 */
export function weztermSpawnArgs(request: SpawnRequest, shell: string): string[] {
  const args = ['cli', 'spawn', '--cwd', request.cwd];
  if (request.newWindow) args.push('--new-window');
  const env = Object.entries(request.env ?? {}).map(([k, v]) => `${k}=${v}`);
  args.push('--', ...(env.length > 0 ? ['env', ...env] : []), shell);
  return args;
}

/**
 * How `sendText` types `text`: the text goes on stdin (no argv size limit, no text parsed as a flag),
 * as a paste when it has newlines (bracketed when the program asked for it, so they do not submit), else
 * with `--no-paste`; then a separate `--no-paste` carriage return presses Enter.
 */
export function weztermSendSteps(paneId: string, text: string, submit = true): Array<{ args: string[]; input: string }> {
  const steps: Array<{ args: string[]; input: string }> = [];
  if (text !== '') {
    const paste = /[\r\n]/.test(text);
    steps.push({ args: ['cli', 'send-text', '--pane-id', paneId, ...(paste ? [] : ['--no-paste'])], input: text });
  }
  if (submit) steps.push({ args: ['cli', 'send-text', '--pane-id', paneId, '--no-paste'], input: '\r' });
  return steps;
}

/** Parses `wezterm cli list --format json` output; throws OperationError when it is not a JSON array. */
export function parseWeztermList(json: string): WeztermPane[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new OperationError('wezterm cli list printed something that is not JSON', { code: 'wezterm_failed', cause: error });
  }
  if (!Array.isArray(value)) throw new OperationError('wezterm cli list did not print a JSON array', { code: 'wezterm_failed' });
  return value.filter((p): p is WeztermPane => typeof p === 'object' && p !== null && typeof (p as WeztermPane).pane_id === 'number');
}

/** Options for {@link WeztermBackend}. */
export interface WeztermOptions {
  /** Environment for `wezterm` calls; `SHELL` and `PATH` are read from it (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Bound on waiting for the new shell's prompt in ms (default 5000). */
  readyTimeoutMs?: number;
}

/** The WezTerm backend. See the module comment for the liveness rule. */
export class WeztermBackend implements SessionBackend {
  readonly name = 'wezterm' as const;
  private readonly env: NodeJS.ProcessEnv;
  private readonly readyTimeoutMs: number;

  constructor(options: WeztermOptions = {}) {
    this.env = options.env ?? process.env;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 5000;
  }

  private wezterm(args: string[], input?: string): Promise<RunResult> {
    return run('wezterm', args, { input, env: this.env, missingHint: MISSING_HINT });
  }

  private async weztermOk(args: string[], input?: string): Promise<string> {
    const r = await this.wezterm(args, input);
    if (r.code !== 0) {
      throw new OperationError(`wezterm ${args.slice(0, 2).join(' ')} failed: ${r.stderr.trim() || `exit code ${r.code}`}`, { code: 'wezterm_failed' });
    }
    return r.stdout;
  }

  /** All panes WezTerm knows. */
  async list(): Promise<WeztermPane[]> {
    return parseWeztermList(await this.weztermOk(['cli', 'list', '--format', 'json']));
  }

  /** Spawns a tab/window running `$SHELL` in `cwd`, then waits until the cursor moved (prompt drawn). */
  async spawn(request: SpawnRequest): Promise<PaneInfo> {
    assertPaneCwd(request.cwd);
    const paneId = (await this.weztermOk(weztermSpawnArgs(request, this.env.SHELL || '/bin/sh'))).trim();
    if (!WEZTERM_PANE_ID.test(paneId)) throw new OperationError(`wezterm printed "${paneId}" instead of a pane id`, { code: 'wezterm_failed' });
    // the owner mark; a WezTerm without set-tab-title lists no tab_title either (the fallback rule)
    if (request.root !== undefined) await this.wezterm(['cli', 'set-tab-title', '--pane-id', paneId, '--', weztermOwnerMark({ root: request.root, workerId: request.workerId })]);
    let ready = false;
    try {
      ready = await waitFor(
        async () => {
          const pane = (await this.list()).find((p) => String(p.pane_id) === paneId);
          if (!pane || pane.is_dead) throw new OperationError(`the shell in wezterm pane ${paneId} exited right after it started`, { code: 'pane_gone' });
          return (pane.cursor_x ?? 0) > 0 || (pane.cursor_y ?? 0) > 0;
        },
        { timeoutMs: this.readyTimeoutMs, intervalMs: 20, description: `wezterm pane ${paneId} to show a prompt` },
      );
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
    }
    return { paneId, busy: false, ready };
  }

  /** See {@link weztermSendSteps}. Throws OperationError `pane_gone` when WezTerm refuses. */
  async sendText(paneId: string, text: string, options: SendOptions = {}): Promise<void> {
    assertPane(paneId);
    for (const step of weztermSendSteps(paneId, typable(text), options.submit !== false)) {
      const r = await this.wezterm(step.args, step.input);
      if (r.code !== 0) throw new OperationError(`wezterm send-text to pane ${paneId} failed: ${r.stderr.trim()}`, { code: 'pane_gone' });
    }
  }

  /** See the module comment for the rules. */
  async isAlive(paneId: string, owner?: PaneOwner): Promise<boolean> {
    return (await this.aliveMany([paneId], owner === undefined ? undefined : new Map([[paneId, owner]]))).get(paneId) ?? false;
  }

  /** The pane is listed, live, and its tab carries `owner`'s mark (see the module comment). */
  async owns(paneId: string, owner: PaneOwner): Promise<boolean> {
    if (!WEZTERM_PANE_ID.test(paneId)) return false;
    return (await this.list()).some((p) => String(p.pane_id) === paneId && ownedBy(p, owner));
  }

  /** One `wezterm cli list` call, then one `ps` call for the listed panes' terminals. */
  async aliveMany(paneIds: string[], owners?: ReadonlyMap<string, PaneOwner>): Promise<Map<string, boolean>> {
    const result = new Map<string, boolean>(paneIds.map((id) => [id, false]));
    const wanted = new Set(paneIds.filter((id) => WEZTERM_PANE_ID.test(id)));
    if (wanted.size === 0) return result;
    const panes = (await this.list()).filter((p) => wanted.has(String(p.pane_id)) && ownedBy(p, owners?.get(String(p.pane_id))));
    const busy = await busyTerminals(panes.flatMap((p) => (p.tty_name ? [p.tty_name] : [])));
    for (const p of panes) result.set(String(p.pane_id), p.tty_name ? busy.get(p.tty_name) === true : true);
    return result;
  }

  /**
   * The leader of the foreground process group of the pane's terminal (`tty_name`, one `ps` call);
   * `unknown` when this WezTerm does not report `tty_name` (typing is then refused); `gone` when the
   * pane is not `owner`'s (see {@link owns}).
   */
  async foreground(paneId: string, owner?: PaneOwner): Promise<PaneForeground> {
    if (!WEZTERM_PANE_ID.test(paneId)) return { kind: 'gone' };
    const pane = (await this.list()).find((p) => String(p.pane_id) === paneId);
    if (!pane || !ownedBy(pane, owner)) return { kind: 'gone' };
    if (!pane.tty_name) return { kind: 'unknown' };
    return foregroundOf((await terminalForegrounds([pane.tty_name])).get(pane.tty_name));
  }

  /** `wezterm cli get-text --pane-id N` (the screen), trailing blank lines dropped. */
  async capture(paneId: string, lines = 50): Promise<string[]> {
    if (!WEZTERM_PANE_ID.test(paneId)) return [];
    const r = await this.wezterm(['cli', 'get-text', '--pane-id', paneId]);
    return r.code === 0 ? lastLines(r.stdout, lines) : [];
  }

  /** WezTerm's CLI has no way to show a message without typing it: always false. */
  async notify(_paneId: string, _text: string): Promise<boolean> {
    return false;
  }

  /** `wezterm cli activate-pane --pane-id N`. */
  async attachCommand(paneId: string): Promise<string | undefined> {
    return WEZTERM_PANE_ID.test(paneId) ? ['wezterm', 'cli', 'activate-pane', '--pane-id', paneId].map(shellQuote).join(' ') : undefined;
  }

  /** `kill-pane`; no error when the pane is already gone. */
  async kill(paneId: string): Promise<void> {
    if (!WEZTERM_PANE_ID.test(paneId)) return;
    const r = await this.wezterm(['cli', 'kill-pane', '--pane-id', paneId]);
    if (r.code === 0) return;
    if (!(await this.list()).some((p) => String(p.pane_id) === paneId)) return;
    throw new OperationError(`wezterm kill-pane ${paneId} failed: ${r.stderr.trim()}`, { code: 'wezterm_failed' });
  }

  /** `set-tab-title` for the tab holding the pane, unless the tab has a title (the owner mark, which names the worker already, or the user's). */
  async setTitle(paneId: string, title: string): Promise<void> {
    assertPane(paneId);
    if ((await this.list()).find((p) => String(p.pane_id) === paneId)?.tab_title) return;
    await this.weztermOk(['cli', 'set-tab-title', '--pane-id', paneId, '--', title]);
  }
}

function assertPane(paneId: string): void {
  if (!WEZTERM_PANE_ID.test(paneId)) throw new UsageError(`"${paneId}" is not a wezterm pane id (expected a number)`, { code: 'bad_pane_id' });
}

/**
 * WezTerm backend through `wezterm cli` (flags per https://wezterm.org/cli/cli/): `spawn` opens a tab
 * (or a window with `newWindow`) and prints the pane id, `send-text` types, `list --format json` lists
 * panes, `kill-pane` and `set-tab-title` (wezterm ≥ 20230408). Pane ids are WezTerm's numbers as
 * strings (`7`). Untested against a real WezTerm here: only the argument building is unit-tested.
 *
 * Liveness rule: the pane is listed, not `is_dead`, and some process on its terminal (`tty_name`) is in
 * the foreground group without being the session's shell (one `ps -A -o tty=,stat=` call for all
 * panes). WezTerm versions that do not report `tty_name` fall back to "listed and not dead".
 */
import { statSync } from 'node:fs';
import { OperationError, UsageError } from '../errors.js';
import type { PaneForeground, PaneInfo, PaneOwner, SendOptions, SessionBackend, SpawnRequest } from './backend.js';
import { lastLines, typable } from './text.js';
import { run, type RunResult } from './exec.js';
import { foregroundOf, quoteArg } from './foreground.js';
import { busyTerminals, terminalForegrounds } from './proc-info.js';
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
    let isDir = false;
    try {
      isDir = statSync(request.cwd).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new OperationError(`cannot open a pane in ${request.cwd}: not a folder`, { code: 'cwd_missing' });
    const paneId = (await this.weztermOk(weztermSpawnArgs(request, this.env.SHELL || '/bin/sh'))).trim();
    if (!WEZTERM_PANE_ID.test(paneId)) throw new OperationError(`wezterm printed "${paneId}" instead of a pane id`, { code: 'wezterm_failed' });
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

  /** See the module comment for the rule. */
  async isAlive(paneId: string, _owner?: PaneOwner): Promise<boolean> {
    return (await this.aliveMany([paneId])).get(paneId) ?? false;
  }

  /** WezTerm panes carry no owner we can read back (titles change), so any listed, live pane counts. */
  async owns(paneId: string, _owner: PaneOwner): Promise<boolean> {
    if (!WEZTERM_PANE_ID.test(paneId)) return false;
    return (await this.list()).some((p) => String(p.pane_id) === paneId && !p.is_dead);
  }

  /** One `wezterm cli list` call, then one `ps` call for the listed panes' terminals. */
  async aliveMany(paneIds: string[], _owners?: ReadonlyMap<string, PaneOwner>): Promise<Map<string, boolean>> {
    const result = new Map<string, boolean>(paneIds.map((id) => [id, false]));
    const wanted = new Set(paneIds.filter((id) => WEZTERM_PANE_ID.test(id)));
    if (wanted.size === 0) return result;
    const panes = (await this.list()).filter((p) => wanted.has(String(p.pane_id)) && !p.is_dead);
    const busy = await busyTerminals(panes.flatMap((p) => (p.tty_name ? [p.tty_name] : [])));
    for (const p of panes) result.set(String(p.pane_id), p.tty_name ? busy.get(p.tty_name) === true : true);
    return result;
  }

  /**
   * The leader of the foreground process group of the pane's terminal (`tty_name`, one `ps` call);
   * `unknown` when this WezTerm does not report `tty_name` (typing is then refused). Owners cannot be
   * told apart (see {@link owns}).
   */
  async foreground(paneId: string, _owner?: PaneOwner): Promise<PaneForeground> {
    if (!WEZTERM_PANE_ID.test(paneId)) return { kind: 'gone' };
    const pane = (await this.list()).find((p) => String(p.pane_id) === paneId);
    if (!pane || pane.is_dead) return { kind: 'gone' };
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
    return WEZTERM_PANE_ID.test(paneId) ? ['wezterm', 'cli', 'activate-pane', '--pane-id', paneId].map(quoteArg).join(' ') : undefined;
  }

  /** `kill-pane`; no error when the pane is already gone. */
  async kill(paneId: string): Promise<void> {
    if (!WEZTERM_PANE_ID.test(paneId)) return;
    const r = await this.wezterm(['cli', 'kill-pane', '--pane-id', paneId]);
    if (r.code === 0) return;
    if (!(await this.list()).some((p) => String(p.pane_id) === paneId)) return;
    throw new OperationError(`wezterm kill-pane ${paneId} failed: ${r.stderr.trim()}`, { code: 'wezterm_failed' });
  }

  /** `set-tab-title` for the tab holding the pane. */
  async setTitle(paneId: string, title: string): Promise<void> {
    assertPane(paneId);
    await this.weztermOk(['cli', 'set-tab-title', '--pane-id', paneId, '--', title]);
  }
}

function assertPane(paneId: string): void {
  if (!WEZTERM_PANE_ID.test(paneId)) throw new UsageError(`"${paneId}" is not a wezterm pane id (expected a number)`, { code: 'bad_pane_id' });
}

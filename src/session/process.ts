/**
 * Headless backend for CI and servers without a multiplexer. A "pane" is a detached shell (bash when
 * found, else /bin/sh) started in its own process group, whose stdin is `<stateDir>/input.fifo`
 * (opened read-write, so the shell holds a writer itself and never sees EOF between writes) and whose
 * stdout/stderr append to `<stateDir>/output.log`; its pid is in `<stateDir>/pane.pid`. Programs the
 * shell starts (the provider) inherit the FIFO as stdin, so later text reaches them.
 *
 * Pane id: `proc:<pid>:<absolute stateDir>` (the pid for signals, the folder for the FIFO). The shell
 * exports it as `AGENT_TEAM_PANE`, so a program in the pane knows its own pane (the controller pane of
 * a headless controller).
 *
 * Liveness rule: the shell runs (on Linux also: not a zombie, and its stdin is still this pane's FIFO —
 * guards against pid reuse) AND it has at least one child process (the provider). An idle shell is not
 * alive. Checked through `/proc` on Linux (no external process), one `ps` call elsewhere.
 */
import { once } from 'node:events';
import { closeSync, constants, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { appendFile, open, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join, resolve, sep } from 'node:path';
import { OperationError, UsageError } from '../errors.js';
import { assertPaneCwd, type PaneForeground, type PaneInfo, type PaneOwner, type SendOptions, type SessionBackend, type SpawnRequest } from './backend.js';
import { run } from './exec.js';
import { foregroundOf } from './foreground.js';
import { shellQuote } from '../shell-quote.js';
import { childrenOf, commandNames, pidRunning, processTree } from './proc-info.js';
import { screenLines, typable } from './text.js';
import { WaitTimeoutError, waitFor } from './wait.js';

/** Process pane ids: `proc:<pid>:<absolute stateDir>`. */
export const PROCESS_PANE_ID = /^proc:(\d+):(\/.*)$/;

/** File names inside a worker's stateDir used by this backend. */
export const PROCESS_FILES = { fifo: 'input.fifo', log: 'output.log', pid: 'pane.pid' } as const;

/** A parsed process pane id. */
export interface ProcessPane {
  pid: number;
  stateDir: string;
}

/** Formats a pane id from the shell's pid and its absolute stateDir. */
export function formatProcessPaneId(pid: number, stateDir: string): string {
  return `proc:${pid}:${stateDir}`;
}

/** Parses `proc:<pid>:<absolute stateDir>`; undefined for anything else. */
export function parseProcessPaneId(paneId: string): ProcessPane | undefined {
  const m = PROCESS_PANE_ID.exec(paneId);
  if (!m || !m[1] || !m[2]) return undefined;
  return { pid: Number(m[1]), stateDir: m[2] };
}

// Sets AGENT_TEAM_PANE from the shell's own pid ($$ survives exec), then becomes a shell reading stdin.
// The stateDir arrives as $1, never inside the script text.
const BOOT_SCRIPT = 'AGENT_TEAM_PANE="proc:$$:$1"; export AGENT_TEAM_PANE; exec "$0" -s';

/** bash when on PATH (it reads a pipe one byte at a time, so a program started from it gets the rest), else /bin/sh. */
export function findShell(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'bash');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return '/bin/sh';
}

/** Options for {@link ProcessBackend}. */
export interface ProcessOptions {
  /** Environment the shells start with, before the request's additions (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Shell to run (default {@link findShell}). */
  shell?: string;
  /** Bound on a blocked FIFO write and on the shell exiting after SIGTERM, in ms (default 5000). */
  timeoutMs?: number;
}

/** The headless backend. See the module comment for files, pane id and liveness rule. */
export class ProcessBackend implements SessionBackend {
  readonly name = 'process' as const;
  private readonly env: NodeJS.ProcessEnv;
  private readonly shell: string;
  private readonly timeoutMs: number;

  constructor(options: ProcessOptions = {}) {
    this.env = options.env ?? process.env;
    this.shell = options.shell ?? findShell(this.env);
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * Makes the FIFO (`mkfifo`), starts the detached shell on it and records its pid. The shell reads
   * input at once (text written early waits in the FIFO), so `ready` is true when it started. Throws
   * OperationError `pane_exists` when the stateDir's previous shell still runs, `cwd_missing` for a bad cwd.
   */
  async spawn(request: SpawnRequest): Promise<PaneInfo> {
    assertPaneCwd(request.cwd);
    const stateDir = resolve(request.stateDir);
    mkdirSync(stateDir, { recursive: true });
    const fifo = join(stateDir, PROCESS_FILES.fifo);
    const pidFile = join(stateDir, PROCESS_FILES.pid);
    const previous = readPidFile(pidFile);
    if (previous !== undefined && (await shellIsPane({ pid: previous, stateDir }))) {
      throw new OperationError(`worker ${request.workerId} already has a running process pane (pid ${previous})`, {
        code: 'pane_exists',
        hint: `kill it first (pane ${formatProcessPaneId(previous, stateDir)})`,
      });
    }
    await rm(fifo, { force: true });
    const made = await run('mkfifo', ['-m', '600', fifo]);
    if (made.code !== 0) throw new OperationError(`mkfifo ${fifo} failed: ${made.stderr.trim()}`, { code: 'fifo_failed' });

    // O_RDWR on a FIFO does not block, and the shell keeping a write end open means no EOF ever.
    const input = openSync(fifo, constants.O_RDWR);
    const output = openSync(join(stateDir, PROCESS_FILES.log), 'a');
    try {
      const { execa } = await import('execa');
      // The shell outlives this process: its own process group (detached, so execa's exit cleanup
      // leaves it alone), stdio on the FIFO and the log, nothing buffered, and unref'd.
      const child = execa(this.shell, ['-c', BOOT_SCRIPT, this.shell, stateDir], {
        cwd: request.cwd,
        env: { ...this.env, ...request.env },
        extendEnv: false,
        // integer fds go straight to child_process.spawn (execa's types only list the fds 0–9)
        stdin: input as 0,
        stdout: output as 1,
        stderr: output as 2,
        detached: true,
        cleanup: false,
        buffer: false,
        reject: false,
      });
      await Promise.race([
        once(child, 'spawn'),
        once(child, 'error').then(([error]) => {
          throw new OperationError(`could not start ${this.shell}: ${(error as Error).message}`, { code: 'spawn_failed', cause: error });
        }),
      ]);
      child.unref();
      const pid = child.pid;
      if (pid === undefined) throw new OperationError(`could not start ${this.shell}`, { code: 'spawn_failed' });
      await writeFile(pidFile, `${pid}\n`);
      return { paneId: formatProcessPaneId(pid, stateDir), busy: false, ready: true };
    } finally {
      closeSync(input);
      closeSync(output);
    }
  }

  /**
   * Writes `text` + "\n" to the pane's FIFO (never through a shell). Opens it non-blocking so a pane
   * with no reader fails at once (OperationError `pane_gone`) instead of hanging; waits (bounded) while
   * the pipe is full.
   */
  async sendText(paneId: string, text: string, options: SendOptions = {}): Promise<void> {
    const pane = parseProcessPaneId(paneId);
    if (!pane) throw new UsageError(`"${paneId}" is not a process pane id (expected proc:<pid>:<stateDir>)`, { code: 'bad_pane_id' });
    if (!(await shellIsPane(pane))) throw new OperationError(`process pane ${paneId} is not running`, { code: 'pane_gone' });
    text = typable(text); // same text as a terminal pane would get
    let handle;
    try {
      handle = await open(join(pane.stateDir, PROCESS_FILES.fifo), constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw new OperationError(`cannot write to process pane ${paneId}: ${(error as Error).message}`, { code: 'pane_gone', cause: error });
    }
    try {
      const data = Buffer.from(options.submit === false ? text : `${text}\n`, 'utf8');
      let offset = 0;
      await waitFor(
        async () => {
          try {
            const { bytesWritten } = await handle.write(data, offset, data.length - offset);
            offset += bytesWritten;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          }
          return offset >= data.length;
        },
        { timeoutMs: this.timeoutMs, intervalMs: 10, description: `process pane ${paneId} to read its input` },
      );
    } finally {
      await handle.close();
    }
  }

  /** The last lines of `<stateDir>/output.log` (its last 64 KiB read): ANSI removed, CR-overwrites resolved. */
  async capture(paneId: string, lines = 50): Promise<string[]> {
    const pane = parseProcessPaneId(paneId);
    if (!pane) return [];
    try {
      const handle = await open(join(pane.stateDir, PROCESS_FILES.log), 'r');
      try {
        const { size } = await handle.stat();
        const length = Math.min(size, 65536);
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, size - length);
        return screenLines(buffer.toString('utf8'), lines);
      } finally {
        await handle.close();
      }
    } catch {
      return [];
    }
  }

  /** See the module comment for the rule. */
  async isAlive(paneId: string, owner?: PaneOwner): Promise<boolean> {
    return (await this.aliveMany([paneId], owner === undefined ? undefined : new Map([[paneId, owner]]))).get(paneId) ?? false;
  }

  /** Checks each shell, then reads the children of the live ones together. */
  async aliveMany(paneIds: string[], owners?: ReadonlyMap<string, PaneOwner>): Promise<Map<string, boolean>> {
    const result = new Map<string, boolean>(paneIds.map((id) => [id, false]));
    const live = new Map<string, number>();
    await Promise.all(
      paneIds.map(async (id) => {
        const pane = parseProcessPaneId(id);
        const owner = owners?.get(id);
        if (pane && (owner === undefined || ownedBy(pane, owner)) && (await shellIsPane(pane))) live.set(id, pane.pid);
      }),
    );
    const children = await childrenOf([...live.values()]);
    for (const [id, pid] of live) result.set(id, (children.get(pid) ?? []).length > 0);
    return result;
  }

  /** The shell of the pane runs and its state folder is `<owner.root>/…/<owner.workerId>` (`.agents/workers/<id>/`). */
  async owns(paneId: string, owner: PaneOwner): Promise<boolean> {
    const pane = parseProcessPaneId(paneId);
    return pane !== undefined && ownedBy(pane, owner) && (await shellIsPane(pane));
  }

  /**
   * The shell reads the FIFO itself unless it started a program, which then inherits the FIFO: the pane
   * process itself (after `exec`) or a descendant that is not a shell is the program (`program`); else
   * the shell reads (`shell`). Descendants are read from `/proc` (Linux), children elsewhere.
   */
  async foreground(paneId: string, owner?: PaneOwner): Promise<PaneForeground> {
    const pane = parseProcessPaneId(paneId);
    if (!pane || (owner !== undefined && !ownedBy(pane, owner)) || !(await shellIsPane(pane))) return { kind: 'gone' };
    let names = (await processTree(pane.pid)).map((p) => p.name);
    if (names.length === 0) {
      const children = (await childrenOf([pane.pid])).get(pane.pid) ?? [];
      const found = await commandNames([pane.pid, ...children]);
      names = [pane.pid, ...children].flatMap((p) => (found.has(p) ? [found.get(p) as string] : []));
    }
    const program = names.map(foregroundOf).find((f) => f.kind === 'program');
    return program ?? { kind: 'shell', command: names[0] };
  }

  /** Appends `[agent-team] <text>` to the pane's log (what a person watching it with `tail -f` sees). */
  async notify(paneId: string, text: string): Promise<boolean> {
    const pane = parseProcessPaneId(paneId);
    if (!pane || !(await shellIsPane(pane))) return false;
    try {
      await appendFile(join(pane.stateDir, PROCESS_FILES.log), `[agent-team] ${typable(text)}\n`);
      return true;
    } catch {
      return false;
    }
  }

  /** `tail -f <stateDir>/output.log`: a headless pane is watched through its log. */
  async attachCommand(paneId: string): Promise<string | undefined> {
    const pane = parseProcessPaneId(paneId);
    if (!pane) return undefined;
    const log = join(pane.stateDir, PROCESS_FILES.log);
    return (await stat(log).then(() => true, () => false)) ? `tail -f ${shellQuote(log)}` : undefined;
  }

  /** SIGTERM to the shell's process group (provider included), SIGKILL if it outlives the bound; no error when gone. */
  async kill(paneId: string): Promise<void> {
    const pane = parseProcessPaneId(paneId);
    if (!pane || !(await shellIsPane(pane))) return;
    signalGroup(pane.pid, 'SIGTERM');
    try {
      await waitFor(async () => !(await shellIsPane(pane)), { timeoutMs: this.timeoutMs, intervalMs: 10, description: `process pane ${paneId} to exit` });
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      signalGroup(pane.pid, 'SIGKILL');
    }
  }

  /** No-op: a headless pane has no title. */
  async setTitle(_paneId: string, _title: string): Promise<void> {}
}

/** Whether the pane's state folder is the owner's: named after the worker and inside the project. */
function ownedBy(pane: ProcessPane, owner: PaneOwner): boolean {
  return basename(pane.stateDir) === owner.workerId && pane.stateDir.startsWith(resolve(owner.root) + sep);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pane.pid` runs and (on Linux) is still the shell reading this pane's FIFO. */
async function shellIsPane(pane: ProcessPane): Promise<boolean> {
  if (!isAbsolute(pane.stateDir) || !pidRunning(pane.pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const [stdin, fifo] = await Promise.all([readlink(`/proc/${pane.pid}/fd/0`), realpath(join(pane.stateDir, PROCESS_FILES.fifo))]);
    return stdin === fifo;
  } catch {
    return false;
  }
}

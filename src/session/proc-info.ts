/**
 * Process facts the backends decide liveness with: a terminal's foreground process group, a process's
 * children, and whether a pid is running. Linux reads `/proc` (no external process); other systems ask
 * `ps` once per call.
 */
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { run } from './exec.js';

const onLinux = process.platform === 'linux';

/** The fields of `/proc/<pid>/stat` we use. */
interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  tpgid: number;
}

async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '', ppid: Number(rest[1]), pgrp: Number(rest[2]), tpgid: Number(rest[5]) };
}

/**
 * Whether `pid` is a running process we may signal: `kill(pid, 0)` succeeds and, on Linux, it is not a
 * zombie (exited, not yet reaped — kill(0) still succeeds on those). Sync, no external process.
 */
export function pidRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: the pid exists but belongs to someone else, so it is not one of our panes.
    return false;
  }
  if (!onLinux) return true;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * For each pid (a shell that leads a terminal session), whether another process group holds the
 * terminal's foreground, i.e. the shell started a program that is still running. Missing pids map to
 * `undefined`. Linux: `/proc/<pid>/stat` tpgid ≠ pgrp; elsewhere one `ps -o pid=,pgid=,tpgid=` call.
 */
export async function foregroundIsOther(pids: readonly number[]): Promise<Map<number, boolean | undefined>> {
  const result = new Map<number, boolean | undefined>();
  if (pids.length === 0) return result;
  if (onLinux) {
    await Promise.all(
      pids.map(async (pid) => {
        const stat = await readProcStat(pid);
        result.set(pid, stat === undefined || stat.state === 'Z' ? undefined : stat.tpgid > 0 && stat.tpgid !== stat.pgrp);
      }),
    );
    return result;
  }
  const r = await run('ps', ['-o', 'pid=,pgid=,tpgid=', '-p', pids.join(',')]);
  for (const line of r.stdout.split('\n')) {
    const [pid, pgid, tpgid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || pgid === undefined || tpgid === undefined || Number.isNaN(pid)) continue;
    result.set(pid, tpgid > 0 && tpgid !== pgid);
  }
  for (const pid of pids) if (!result.has(pid)) result.set(pid, undefined);
  return result;
}

/**
 * For each pid, its child pids (empty when it has none or is gone). Linux: `/proc/<pid>/task/<pid>/children`,
 * or a scan of `/proc` where the kernel lacks that file; elsewhere one `ps -A -o pid=,ppid=` call.
 */
export async function childrenOf(pids: readonly number[]): Promise<Map<number, number[]>> {
  const result = new Map<number, number[]>(pids.map((pid) => [pid, []]));
  if (pids.length === 0) return result;
  if (onLinux) {
    let needScan = false;
    await Promise.all(
      pids.map(async (pid) => {
        try {
          const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
          result.set(pid, text.trim() === '' ? [] : text.trim().split(/\s+/).map(Number));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (await readProcStat(pid)) !== undefined) needScan = true;
        }
      }),
    );
    if (!needScan) return result;
    const wanted = new Set(pids);
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const stat = await readProcStat(Number(name));
      if (stat && wanted.has(stat.ppid)) result.get(stat.ppid)?.push(Number(name));
    }
    return result;
  }
  const r = await run('ps', ['-A', '-o', 'pid=,ppid=']);
  const wanted = new Set(pids);
  for (const line of r.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid !== undefined && ppid !== undefined && wanted.has(ppid)) result.get(ppid)?.push(pid);
  }
  return result;
}

/**
 * For each pid, the name its process table entry shows: on Linux the first word of
 * `/proc/<pid>/cmdline` without its folder (what tmux's `#{pane_current_command}` shows, so a node
 * program that set `process.title` shows that title), else `/proc/<pid>/comm`; elsewhere one
 * `ps -o pid=,comm=` call. Gone pids are left out.
 */
export async function commandNames(pids: readonly number[]): Promise<Map<number, string>> {
  const result = new Map<number, string>();
  if (pids.length === 0) return result;
  if (onLinux) {
    await Promise.all(
      pids.map(async (pid) => {
        try {
          const argv0 = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? '';
          const name = argv0 !== '' ? argv0.split('/').pop() ?? '' : (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
          if (name !== '') result.set(pid, name);
        } catch {
          // gone
        }
      }),
    );
    return result;
  }
  const r = await run('ps', ['-o', 'pid=,comm=', '-p', pids.join(',')]);
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.+)$/.exec(line);
    if (m?.[1] && m[2]) result.set(Number(m[1]), m[2].trim().split('/').pop() ?? m[2].trim());
  }
  return result;
}

/**
 * The names of `pid` and its descendants (breadth first, `depth` generations, default 4), each with
 * its pid; with `foregroundOnly`, only the processes in the foreground process group of `pid`'s
 * terminal (tpgid). Linux only (`/proc`); elsewhere an empty list. Used to see through a
 * non-interactive `sh -c '<program> …'` wrapper, which shares the program's process group.
 */
export async function processTree(pid: number, options: { depth?: number; foregroundOnly?: boolean } = {}): Promise<Array<{ pid: number; name: string }>> {
  if (!onLinux) return [];
  const root = await readProcStat(pid);
  if (!root) return [];
  const tpgid = root.tpgid;
  const found: Array<{ pid: number; name: string; pgrp: number }> = [];
  let level = [pid];
  for (let generation = 0; generation <= (options.depth ?? 4) && level.length > 0; generation++) {
    const [stats, names, children] = await Promise.all([Promise.all(level.map(readProcStat)), commandNames(level), childrenOf(level)]);
    level.forEach((p, i) => {
      const name = names.get(p);
      const stat = stats[i];
      if (name !== undefined && stat !== undefined && stat.state !== 'Z') found.push({ pid: p, name, pgrp: stat.pgrp });
    });
    level = level.flatMap((p) => children.get(p) ?? []);
  }
  return found.filter((p) => !options.foregroundOnly || p.pgrp === tpgid).map(({ pid: p, name }) => ({ pid: p, name }));
}

/**
 * For each terminal (`/dev/pts/3`, `pts/3` or `ttys003`), the name of the process leading its foreground
 * process group (the program that reads what is typed: the shell at its prompt, or what it started);
 * undefined when none is found. One `ps -A -o tty=,pid=,tpgid=,comm=` call.
 */
export async function terminalForegrounds(ttys: readonly string[]): Promise<Map<string, string | undefined>> {
  const result = new Map<string, string | undefined>(ttys.map((t) => [t, undefined]));
  if (ttys.length === 0) return result;
  const byShort = new Map<string, string>();
  for (const t of ttys) byShort.set(shortTty(t), t);
  const r = await run('ps', ['-A', '-o', 'tty=,pid=,tpgid=,comm=']);
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\S+)\s+(\d+)\s+(-?\d+)\s+(.+)$/.exec(line);
    if (!m?.[1] || !m[4]) continue;
    const original = byShort.get(shortTty(m[1]));
    if (original !== undefined && m[2] === m[3]) result.set(original, m[4].trim().split('/').pop());
  }
  return result;
}

/**
 * For each terminal (`/dev/pts/3`, `pts/3` or `ttys003`), whether a program other than the session's
 * shell holds its foreground: some process on it is in the foreground group (`+` in `ps` stat) without
 * being the session leader (`s`). One `ps -A -o tty=,stat=` call.
 */
export async function busyTerminals(ttys: readonly string[]): Promise<Map<string, boolean>> {
  const result = new Map<string, boolean>(ttys.map((t) => [t, false]));
  if (ttys.length === 0) return result;
  const byShort = new Map<string, string>();
  for (const t of ttys) byShort.set(shortTty(t), t);
  const r = await run('ps', ['-A', '-o', 'tty=,stat=']);
  for (const line of r.stdout.split('\n')) {
    const [tty, stat] = line.trim().split(/\s+/);
    if (!tty || !stat) continue;
    const original = byShort.get(shortTty(tty));
    if (original !== undefined && stat.includes('+') && !stat.includes('s')) result.set(original, true);
  }
  return result;
}

/** `/dev/pts/3` → `pts/3`, `/dev/ttys003` and `ttys003` → `s003` (macOS `ps` prints either form). */
export function shortTty(tty: string): string {
  const t = tty.replace(/^\/dev\//, '');
  return t.startsWith('tty') ? t.slice(3) : t;
}

/**
 * Blocking until files change, without a polling sleep: `fs.watch` (inotify on Linux, FSEvents on macOS)
 * on the folders that hold the watched files, so a file replaced by an atomic rename (how the store
 * writes) is still seen. Watching starts before the caller looks at the files and changes are latched,
 * so a change between "look" and "wait" is never missed. Where `fs.watch` is not available (some network
 * file systems, a full inotify table) it falls back to comparing the paths' stat every `fallbackPollMs`.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** What to watch: single files (by folder + name) and whole folders (any entry directly in them). */
export interface WatchSet {
  /** Absolute paths of files; a change is a create, write, rename or delete of that name. */
  files: string[];
  /** Absolute paths of folders; a change is any change to an entry directly in them. */
  folders: string[];
}

/** Why {@link Watcher.wait} returned. */
export type WaitOutcome = 'changed' | 'timeout' | 'recheck';

/** Options of {@link Watcher.wait}; times in milliseconds. */
export interface WaitOptions {
  /** Absolute time (ms since the epoch) after which to return `timeout`. */
  deadline: number;
  /** Return `recheck` after this long without a change (default: never), for what no file shows. */
  recheckMs?: number;
  /** Aborts the wait (returns `timeout`). */
  signal?: AbortSignal;
}

/** A running watch: {@link Watcher.wait} for the next change since the last wait, then {@link Watcher.close}. */
export interface Watcher {
  /** Resolves `changed` at once when something changed since the last wait (or the start), else on the next change, `recheck` or `timeout`. */
  wait(options: WaitOptions): Promise<WaitOutcome>;
  /** Whether fs.watch is used (false: polling stats). */
  readonly native: boolean;
  close(): void;
}

function fingerprint(set: WatchSet): string {
  const parts: string[] = [];
  for (const p of [...set.files, ...set.folders]) {
    try {
      const s = statSync(p);
      parts.push(`${p}:${s.mtimeMs}:${s.size}:${s.ino}`);
    } catch {
      parts.push(`${p}:-`);
    }
  }
  return parts.join('|');
}

/**
 * Starts watching `set` (see module comment). Never throws: folders that do not exist are skipped (watch
 * their parent in `folders` to see them appear), and when fs.watch fails the watcher polls stats every
 * `fallbackPollMs` (default 1000).
 */
export function startWatching(set: WatchSet, options: { fallbackPollMs?: number } = {}): Watcher {
  let dirty = false;
  let wake: (() => void) | undefined;
  const changed = () => {
    dirty = true;
    wake?.();
  };
  const watchers: FSWatcher[] = [];
  const byFolder = new Map<string, Set<string> | 'all'>();
  for (const f of set.files) {
    const dir = dirname(f);
    const names = byFolder.get(dir);
    if (names !== 'all') byFolder.set(dir, new Set([...(names ?? []), basename(f)]));
  }
  for (const d of set.folders) byFolder.set(d, 'all');
  let native = true;
  try {
    for (const [dir, names] of byFolder) {
      if (!existsSync(dir)) continue;
      const w = watch(dir, { persistent: true }, (_event, name) => {
        if (names === 'all' || name === null || names.has(String(name))) changed();
      });
      w.on('error', changed); // a watched folder removed or replaced: let the caller look again
      watchers.push(w);
    }
  } catch {
    native = false;
    for (const w of watchers.splice(0)) w.close();
  }
  let poll: NodeJS.Timeout | undefined;
  if (!native) {
    let last = fingerprint(set);
    poll = setInterval(() => {
      const now = fingerprint(set);
      if (now !== last) {
        last = now;
        changed();
      }
    }, options.fallbackPollMs ?? 1000);
  }
  return {
    native,
    wait(o: WaitOptions): Promise<WaitOutcome> {
      return new Promise((resolve) => {
        const timers: NodeJS.Timeout[] = [];
        const finish = (outcome: WaitOutcome) => {
          wake = undefined;
          for (const t of timers) clearTimeout(t);
          o.signal?.removeEventListener('abort', onAbort);
          if (outcome === 'changed') dirty = false;
          resolve(outcome);
        };
        const onAbort = () => finish('timeout');
        if (dirty) return finish('changed');
        if (o.signal?.aborted) return finish('timeout');
        o.signal?.addEventListener('abort', onAbort);
        wake = () => finish('changed');
        timers.push(setTimeout(() => finish('timeout'), Math.max(0, o.deadline - Date.now())));
        if (o.recheckMs !== undefined) timers.push(setTimeout(() => finish('recheck'), o.recheckMs));
      });
    },
    close() {
      wake = undefined;
      if (poll) clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}

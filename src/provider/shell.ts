/** Small helpers the adapters share: shell quoting of launch-command words, writing hook files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** `arg` as one POSIX shell word: unchanged when plain, else single-quoted (`'` as `'\''`). */
export function shellWord(arg: string): string {
  return /^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Joins already-quoted words and plain flags into one command line. */
export function commandLine(...parts: Array<string | undefined | false>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' ');
}

/** Writes `text` to `path` (folders made), returns the path. Hook files are regenerated on every launch. */
export function writeHookFile(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A hook command running the worker's hook script for `event` (our event name), as one shell command. */
export function hookCommand(hook: string, event: string): string {
  return `${hook} ${event}`;
}

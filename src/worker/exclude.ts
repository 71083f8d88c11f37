/**
 * Keeping agent-team's own files out of commits without touching the project's `.gitignore`: patterns go
 * into a managed block of the repository's `info/exclude` (`git rev-parse --git-path info/exclude`, which
 * linked worktrees share with the main one). Only untracked files are affected by excludes, so a file the
 * project tracks is never hidden; the block is kept sorted and rewritten atomically under a lock.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { withFileLock } from '../store/lock.js';
import { gitPath } from '../git/repo.js';

const BEGIN = '# >>> agent-team: worker role prompts and runtime files (managed by agent-team) >>>';
const END = '# <<< agent-team <<<';

/** The patterns currently in the managed block of `text`. */
export function managedPatterns(text: string): string[] {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  if (start < 0 || end < 0) return [];
  return text
    .slice(start + BEGIN.length, end)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** `text` with its managed block replaced by (or appended as) one holding `patterns`. */
export function withManagedBlock(text: string, patterns: string[]): string {
  const block = `${BEGIN}\n${patterns.join('\n')}\n${END}\n`;
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  if (start >= 0 && end >= 0) {
    let after = end + END.length;
    if (text[after] === '\n') after++;
    return text.slice(0, start) + block + text.slice(after);
  }
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}${block}`;
}

/**
 * Adds `patterns` (gitignore syntax, e.g. `/CLAUDE.md`, `/.tasks/`) to the managed block of the exclude
 * file seen from `cwd`, keeping what is there. Returns the exclude file's path. Throws OperationError on
 * git or I/O failure.
 */
export async function addExcludes(cwd: string, patterns: string[]): Promise<string> {
  const file = await gitPath(cwd, 'info/exclude');
  if (!existsSync(file)) writeFileAtomicSync(file, '');
  await withFileLock(file, () => {
    const text = readFileSync(file, 'utf8');
    const current = managedPatterns(text);
    const merged = [...new Set([...current, ...patterns])].sort();
    if (merged.length !== current.length || merged.some((p, i) => p !== current[i])) writeFileAtomicSync(file, withManagedBlock(text, merged));
  });
  return file;
}

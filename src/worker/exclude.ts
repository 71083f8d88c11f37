/**
 * Keeping agent-team's own files out of commits without touching the project's `.gitignore`. Files of a
 * worker's worktree (role prompts, `.tasks/`, the worker skill) go into an exclude file only that
 * worktree reads ({@link addWorktreeExcludes}); runtime folders of the main checkout (`/.worktrees/`,
 * `/.agents/workers/`) into a managed block of the repository's shared `info/exclude`
 * (`git rev-parse --git-path info/exclude`). Only untracked files are affected by excludes, so a file the
 * project tracks is never hidden; the block is kept sorted and rewritten atomically under a lock.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { withFileLock } from '../store/lock.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { lines, runGit, tryGit } from '../git/git.js';
import { gitDir, gitPath } from '../git/repo.js';

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

/** Adds `patterns` to the managed block of exclude file `file` (sorted, no repeats), under its lock; writes only on a change. */
async function mergeIntoManagedBlock(file: string, patterns: string[]): Promise<void> {
  await withFileLock(file, () => {
    const text = readFileSync(file, 'utf8');
    const current = managedPatterns(text);
    const merged = [...new Set([...current, ...patterns])].sort();
    if (merged.length !== current.length || merged.some((p, i) => p !== current[i])) writeFileAtomicSync(file, withManagedBlock(text, merged));
  });
}

/**
 * Adds `patterns` (gitignore syntax, e.g. `/CLAUDE.md`, `/.tasks/`) to the managed block of the exclude
 * file seen from `cwd`, keeping what is there. Returns the exclude file's path. Throws OperationError on
 * git or I/O failure.
 */
export async function addExcludes(cwd: string, patterns: string[]): Promise<string> {
  const file = await gitPath(cwd, 'info/exclude');
  if (!existsSync(file)) writeFileAtomicSync(file, '');
  await mergeIntoManagedBlock(file, patterns);
  return file;
}

/** Name of the per-worktree exclude file, inside the worktree's own git folder (`.git/worktrees/<id>/`). */
export const WORKTREE_EXCLUDE_FILE = 'agent-team-exclude';

/** The user's global excludes file (`core.excludesFile`, else `$XDG_CONFIG_HOME/git/ignore`), when it exists. */
async function globalExcludesFile(cwd: string): Promise<string | undefined> {
  const home = process.env.HOME ?? homedir();
  const hasGlobalConfig = [join(home, '.gitconfig'), join(process.env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config')].some((f) => existsSync(f));
  // `--list` always prints when a global config exists (an empty `--get` would cost simple-git's ~50 ms wait).
  const listed = hasGlobalConfig ? await tryGit(cwd, ['config', '--global', '--list']) : undefined;
  const raw = lines(listed).find((l) => l.toLowerCase().startsWith('core.excludesfile='))?.slice('core.excludesfile='.length).trim();
  const configured = raw?.startsWith('~/') ? join(home, raw.slice(2)) : raw;
  const candidate = configured || join(process.env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'ignore');
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Adds `patterns` to an exclude file that only the linked worktree at `worktree` reads, so agent-team's
 * files there (role prompts, `.tasks/`, the worker skill) never hide a file of the same name in the
 * controller's checkout: the repository gets `extensions.worktreeConfig` (as `git sparse-checkout` sets
 * it) and the worktree `core.excludesFile` pointing at `<worktree git dir>/agent-team-exclude`, which
 * starts with a copy of the user's global excludes (the setting replaces them for this worktree only).
 * Returns the file's path. Throws OperationError on git or I/O failure.
 */
export async function addWorktreeExcludes(worktree: string, patterns: string[]): Promise<string> {
  const file = join(await worktreeGitDir(worktree), WORKTREE_EXCLUDE_FILE);
  if (!existsSync(file)) {
    // First time for this worktree: turn the setting on (once per repository), then seed the file.
    if ((await tryGit(worktree, ['config', '--bool', 'extensions.worktreeConfig'])) !== 'true') {
      // workers opened at once (a parallel run) race for .git/config's lock: the one that lost finds it set
      if ((await tryGit(worktree, ['config', 'extensions.worktreeConfig', 'true'], { traced: true })) === undefined && (await tryGit(worktree, ['config', '--bool', 'extensions.worktreeConfig'])) !== 'true') {
        await runGit(worktree, ['config', 'extensions.worktreeConfig', 'true'], { traced: true });
      }
    }
    // config writes print nothing: traced (git.ts TRACE_LINE)
    await runGit(worktree, ['config', '--worktree', 'core.excludesFile', file], { traced: true });
    const global = await globalExcludesFile(worktree);
    const copied = global ? `# copied from ${global} (core.excludesFile of this worktree replaces it)\n${readFileSync(global, 'utf8')}\n` : '';
    writeFileAtomicSync(file, copied);
  }
  await mergeIntoManagedBlock(file, patterns);
  return file;
}

/** The git folder of a linked worktree, read from its `.git` file (`gitdir: <path>`) without running git. */
async function worktreeGitDir(worktree: string): Promise<string> {
  try {
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(join(worktree, '.git'), 'utf8'));
    if (m?.[1]) return resolve(worktree, m[1].trim());
  } catch {
    // a folder .git (not a linked worktree) or unreadable: ask git
  }
  return gitDir(worktree);
}

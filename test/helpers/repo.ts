/** Temporary real git repositories for tests (removed by the returned cleanup function). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Runs git in `cwd` with a fixed identity and returns trimmed stdout. Throws on failure. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' },
  }).trim();
}

/** A temp folder (not a repository). */
export function tempDir(prefix = 'agent-team-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // retries: a hook of an agent killed a moment ago may still write into the folder (ENOTEMPTY, seen under load)
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }) };
}

/** A temp git repository on branch `main` with one commit (README.md). */
export function tempRepo(prefix = 'agent-team-repo-'): { dir: string; cleanup: () => void } {
  const t = tempDir(prefix);
  git(t.dir, 'init', '-q', '-b', 'main');
  git(t.dir, 'config', 'user.name', 'Test');
  git(t.dir, 'config', 'user.email', 'test@example.com');
  git(t.dir, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(t.dir, 'README.md'), '# test repo\n');
  git(t.dir, 'add', '-A');
  git(t.dir, 'commit', '-q', '-m', 'initial');
  return t;
}

/** Writes `content` to `root/rel`, creating folders. */
export function writeFile(root: string, rel: string, content: string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

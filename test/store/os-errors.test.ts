/**
 * Issue 11, finding 9: every OS error names the file and the fix (exit 1), never "this is a bug". Real
 * file systems: a tmpfs with no free inodes, a full tmpfs, a read-only one (mounted when running as
 * root, skipped otherwise), and a run id too long for a file name.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osError } from '../../src/errors.js';
import { cli } from '../helpers/cli.js';
import { initRun, PRESET_PARAMS, repoWithWorkflow } from '../workflow/support.js';
import '../workflow/fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
});
afterAll(() => repo?.cleanup());

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Mounts a tmpfs at a new folder of the repository with `options`, runs `fn`, unmounts. */
async function withTmpfs(name: string, options: string, fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = join(repo.dir, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  try {
    await fn(dir);
  } finally {
    execFileSync('umount', ['-l', dir]);
  }
}

function expectOsError(r: ReturnType<typeof cli>, code: string, file: string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.json.error.code).toBe(code);
  expect(r.json.error.message).toContain(file);
  expect(r.json.error.hint).toBeTruthy();
  expect(r.stderr).not.toContain('bug in agent-team');
  expect(r.stderr).not.toContain('another agent-team process');
}

describe('OS errors from the CLI', () => {
  it('ENAMETOOLONG: a 300-character run id names the file and the fix', () => {
    const id = 'r'.repeat(300);
    const r = cli(['workflow', 'state', 'init', repo.template, '--run-id', id, '--json', ...PRESET_PARAMS], { cwd: repo.dir });
    expectOsError(r, 'name_too_long', `${id}.yaml`);
    expect(r.json.error.hint).toContain('shorter');
  });

  it.skipIf(!canMount)('ENOSPC with no free inodes: a transition says so (not "another process holds the lock"), file unchanged', async () => {
    await withTmpfs('no-inodes', 'size=4m,nr_inodes=16', (dir) => {
      const file = join(dir, 'run.yaml');
      const init = cli(['workflow', 'state', 'init', repo.template, '--state-file', file, '--json', ...PRESET_PARAMS], { cwd: repo.dir });
      expect(init.code, init.stderr).toBe(0);
      const before = readFileSync(file, 'utf8');
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(dir, `fill-${i}`), '');
        } catch {
          break;
        }
      }
      const r = cli(['workflow', 'state', 'start', file, '--node', 'cto_breakdown', '--json'], { cwd: repo.dir });
      expectOsError(r, 'no_space', file);
      expect(r.json.error.message).toContain('no free inodes');
      expect(readFileSync(file, 'utf8')).toBe(before);
    });
  });

  it.skipIf(!canMount)('ENOSPC on a full disk: the run-state is unchanged and the message names it', async () => {
    await withTmpfs('full', 'size=64k', (dir) => {
      const file = join(dir, 'run.yaml');
      const init = cli(['workflow', 'state', 'init', repo.template, '--state-file', file, '--json', ...PRESET_PARAMS], { cwd: repo.dir });
      expect(init.code, init.stderr).toBe(0);
      const before = readFileSync(file, 'utf8');
      try {
        writeFileSync(join(dir, 'fill'), Buffer.alloc(1024 * 1024));
      } catch {
        // filled up to the last byte
      }
      const r = cli(['workflow', 'state', 'start', file, '--node', 'cto_breakdown', '--json'], { cwd: repo.dir });
      expectOsError(r, 'no_space', file);
      expect(readFileSync(file, 'utf8')).toBe(before);
    });
  });

  it.skipIf(!canMount)('EROFS: state init and a transition on a read-only file system name the file', async () => {
    await withTmpfs('ro', 'size=1m', (dir) => {
      const file = join(dir, 'run.yaml');
      const init = cli(['workflow', 'state', 'init', repo.template, '--state-file', file, '--json', ...PRESET_PARAMS], { cwd: repo.dir });
      expect(init.code, init.stderr).toBe(0);
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const r = cli(['workflow', 'state', 'start', file, '--node', 'cto_breakdown', '--json'], { cwd: repo.dir });
      expectOsError(r, 'read_only', file);
      const r2 = cli(['workflow', 'state', 'init', repo.template, '--state-file', join(dir, 'new.yaml'), '--json', ...PRESET_PARAMS], { cwd: repo.dir });
      expectOsError(r2, 'read_only', join(dir, 'new.yaml'));
    });
  });
});

describe('osError', () => {
  it.each([
    ['ENOSPC', 'no_space'],
    ['EDQUOT', 'no_space'],
    ['EROFS', 'read_only'],
    ['EACCES', 'permission_denied'],
    ['EPERM', 'permission_denied'],
    ['ENAMETOOLONG', 'name_too_long'],
    ['EMFILE', 'too_many_open_files'],
    ['ENFILE', 'too_many_open_files'],
  ])('%s → %s, exit 1, naming the file', (errno, code) => {
    const raw = Object.assign(new Error(`${errno}: something, open '/x/run.yaml'`), { code: errno, syscall: 'open', path: '/x/run.yaml' });
    const e = osError(raw) as { code: string; exitCode: number; message: string; hint: string };
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain('/x/run.yaml');
    expect(e.hint).toBeTruthy();
  });

  it('leaves other errors alone', () => {
    const raw = Object.assign(new Error('x'), { code: 'ECONNRESET' });
    expect(osError(raw)).toBe(raw);
  });
});

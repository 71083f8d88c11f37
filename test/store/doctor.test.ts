/**
 * Issue 11, findings 9 and 10: `agent-team doctor [--fix]` on a real repository carrying what crashes and
 * hand edits leave behind; `worker delete` removes a reserved id folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, writeFile } from '../helpers/repo.js';
import { initRun, repoWithWorkflow } from '../workflow/support.js';
import '../workflow/fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
  writeFile(repo.dir, '.gitignore', '.agents/\n.worktrees/\n');
  git(repo.dir, 'add', '.gitignore');
  git(repo.dir, 'commit', '-qm', 'ignore');
});
afterAll(() => repo?.cleanup());

const old = new Date(Date.now() - 5 * 60_000);
const age = (path: string) => utimesSync(path, old, old);
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('doctor', () => {
  it('finds and explains every kind of leftover, repairs the safe ones with --fix, and touches no run-state', () => {
    const dir = repo.dir;
    // a stale lock (its owner is gone) and an orphan temp file of a killed writer
    const run = initRun(dir, repo.template, ['--run-id', 'r1']);
    writeFileSync(`${run}.lock`, JSON.stringify({ pid: deadPid(), start: '1', host: hostname(), token: 'x', command: 'agent-team workflow state start', acquired_at: '' }));
    const temp = `${run}.3141592653`;
    writeFileSync(temp, 'half a run-state');
    age(temp);
    // a reserved worker-id folder (no worker.yaml)
    const reserved = join(dir, '.agents/workers/dev-007');
    mkdirSync(reserved, { recursive: true });
    age(reserved);
    // a worker whose worktree was removed by hand
    writeFile(dir, '.agents/workers/dev-001/worker.yaml', 'worker_id: dev-001\nrole: dev\nprovider: claude\nworktree_created: true\n');
    git(dir, 'worktree', 'add', '-q', '-b', 'team/dev-001', join(dir, '.worktrees/dev-001'));
    rmSync(join(dir, '.worktrees/dev-001'), { recursive: true, force: true });
    // a worker whose branch was deleted by hand (its worktree is detached)
    writeFile(dir, '.agents/workers/dev-002/worker.yaml', 'worker_id: dev-002\nrole: dev\nprovider: claude\nworktree_created: true\n');
    git(dir, 'worktree', 'add', '-q', '-b', 'team/dev-002', join(dir, '.worktrees/dev-002'));
    git(join(dir, '.worktrees/dev-002'), 'checkout', '-q', '--detach');
    git(dir, 'branch', '-q', '-D', 'team/dev-002');
    // a stale MERGE_HEAD: the merge was committed, then the process was killed
    git(dir, 'checkout', '-q', '-b', 'topic');
    writeFile(dir, 'topic.txt', 'topic\n');
    git(dir, 'add', 'topic.txt');
    git(dir, 'commit', '-qm', 'topic');
    const topic = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', 'main');
    git(dir, 'merge', '-q', '--no-ff', '-m', 'merge topic', 'topic');
    writeFileSync(join(dir, '.git/MERGE_HEAD'), `${topic}\n`);
    // runs whose template changed, and whose template is missing
    const other = join(dir, '.agents/workflow/other.yaml');
    writeFileSync(other, readFileSync(repo.template, 'utf8').replace('name: feat', 'name: other'));
    const orphanRun = initRun(dir, other, ['--run-id', 'r2']);
    rmSync(other);
    writeFileSync(repo.template, `${readFileSync(repo.template, 'utf8')}# edited\n`);
    const runBytes = [readFileSync(run), readFileSync(orphanRun)];

    const found = cli(['doctor', '--json'], { cwd: dir });
    expect(found.code, found.stderr).toBe(1);
    const kinds = (found.json.findings as { kind: string }[]).map((f) => f.kind).sort();
    expect(kinds).toEqual(['branch_missing', 'orphan_temp_file', 'reserved_id_folder', 'stale_lock', 'stale_merge_head', 'template_changed', 'template_missing', 'worktree_missing']);
    for (const f of found.json.findings) {
      expect(f.message, f.kind).toBeTruthy();
      expect(f.fix, f.kind).toBeTruthy();
    }
    // nothing changed without --fix
    expect(existsSync(`${run}.lock`)).toBe(true);
    expect(existsSync(temp)).toBe(true);

    const text = cli(['doctor'], { cwd: dir });
    expect(text.stdout).toContain('stale lock: process');
    expect(text.stdout).toContain('run agent-team doctor --fix to repair 5');

    const fixed = cli(['doctor', '--fix', '--json'], { cwd: dir });
    expect(fixed.code, fixed.stderr).toBe(1); // the branch and the templates need a person
    const byKind = Object.fromEntries((fixed.json.findings as { kind: string; fixed?: boolean }[]).map((f) => [f.kind, f.fixed]));
    expect(byKind).toEqual({ stale_lock: true, orphan_temp_file: true, reserved_id_folder: true, worktree_missing: true, stale_merge_head: true, branch_missing: undefined, template_changed: undefined, template_missing: undefined });
    expect(existsSync(`${run}.lock`)).toBe(false);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(reserved)).toBe(false);
    expect(existsSync(join(dir, '.git/MERGE_HEAD'))).toBe(false);
    expect(readFileSync(join(dir, '.agents/workers/dev-001/worker.yaml'), 'utf8')).toContain('worktree_created: false');
    expect(git(dir, 'worktree', 'list')).not.toContain('dev-001');
    expect([readFileSync(run), readFileSync(orphanRun)]).toEqual(runBytes);

    const after = cli(['doctor', '--json'], { cwd: dir });
    expect((after.json.findings as { kind: string }[]).map((f) => f.kind).sort()).toEqual(['branch_missing', 'template_changed', 'template_missing']);
  });

  it('leaves young leftovers alone: they may belong to a command still running', () => {
    const { dir } = repo;
    const run = initRun(dir, repo.template, ['--run-id', 'young']);
    const temp = `${run}.2718281828`;
    writeFileSync(temp, 'in progress');
    mkdirSync(join(dir, '.agents/workers/qa-009'), { recursive: true });
    const r = cli(['doctor', '--fix', '--json'], { cwd: dir });
    const paths = (r.json.findings as { path: string }[]).map((f) => f.path);
    expect(paths.some((p) => p.endsWith('young.yaml.2718281828'))).toBe(false);
    expect(existsSync(temp)).toBe(true);
    expect(existsSync(join(dir, '.agents/workers/qa-009'))).toBe(true);
    rmSync(temp);
    rmSync(join(dir, '.agents/workers/qa-009'), { recursive: true });
  });
});

describe('worker delete', () => {
  it('removes a reserved id folder (no worker.yaml) instead of saying "no worker"', () => {
    const reserved = join(repo.dir, '.agents/workers/ops-004');
    mkdirSync(reserved, { recursive: true });
    const r = cli(['worker', 'delete', 'ops-004', '--json'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, id: 'ops-004', removed_reserved_folder: true });
    expect(existsSync(reserved)).toBe(false);
    const again = cli(['worker', 'delete', 'ops-004', '--json'], { cwd: repo.dir });
    expect(again.code).toBe(1);
    expect(again.json.error.code).toBe('unknown_worker');
  });
});

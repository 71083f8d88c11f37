/**
 * Issue 11, finding 2: locks that cannot be stolen from a live holder. Real CLI processes, real files:
 * two paths to one run-state meet at one lock; a paused holder keeps its lock (the waiter says whom it
 * waits for) and no transition is lost; a lock whose owner is gone is taken over at once, and said so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliAsync } from '../helpers/cli.js';
import { initRun, readRun, repoWithWorkflow } from '../workflow/support.js';
import '../workflow/fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
});
afterAll(() => repo?.cleanup());

const HOLDER = fileURLToPath(new URL('./hold-and-write.mjs', import.meta.url));
const reasons = (file: string): string[] => readRun(file).decision_log.map((e: { summary?: string }) => e.summary ?? '');

describe('one lock per file, whatever the path', () => {
  it('writers through a symlink and through the real path lose no update', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'real']);
    const link = join(dirname(file), 'current.yaml');
    symlinkSync(file, link);
    const N = 30;
    const results = await Promise.all(
      Array.from({ length: 2 * N }, (_, i) => cliAsync(['workflow', 'state', 'wait', i % 2 ? link : file, '--node', 'cto_breakdown', '--reason', `w${i}`], { cwd: repo.dir })),
    );
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    expect(reasons(file).sort()).toEqual(Array.from({ length: 2 * N }, (_, i) => `w${i}`).sort());
    expect(readdirSync(dirname(file)).sort()).toEqual(['current.yaml', 'real.yaml']); // no lock or temp file left
  });
});

describe('a paused holder keeps its lock', () => {
  it('a SIGSTOPped holder is waited for (and named), not robbed; both transitions are kept', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'paused']);
    const holder = spawn(process.execPath, [HOLDER, file, 'paused-holder'], { cwd: repo.dir, stdio: ['ignore', 'pipe', 'inherit'] });
    const holderDone = new Promise<number | null>((resolve) => holder.on('close', resolve));
    await new Promise<void>((resolve) => holder.stdout.on('data', (d) => String(d).includes('read') && resolve()));
    holder.kill('SIGSTOP');
    try {
      const other = spawn(process.execPath, [BIN, 'workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', 'other-writer'], {
        cwd: repo.dir,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const otherDone = new Promise<number | null>((resolve) => other.on('close', resolve));
      // Until the other writer says it waits (fixed code), exits (it took the lock), or 12 s pass (the
      // old code took a lock over after 10 s on its age alone).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 12_000);
        other.stderr.on('data', (d) => {
          stderr += d;
          if (stderr.includes('waiting for')) {
            clearTimeout(timer);
            resolve();
          }
        });
        void otherDone.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      holder.kill('SIGCONT');
      expect(await holderDone).toBe(0);
      expect(await otherDone, stderr).toBe(0);
      expect(reasons(file).sort()).toEqual(['other-writer', 'paused-holder']);
      expect(stderr).toContain(`waiting for pid ${holder.pid} (`);
    } finally {
      holder.kill('SIGCONT');
    }
  });
});

describe('a lock whose owner is gone', () => {
  it('is taken over at once and said so', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'dead-owner']);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    const owner = { pid, start: '1', host: hostname(), token: 'dead-token', command: 'agent-team workflow state start', acquired_at: new Date().toISOString() };
    writeFileSync(`${file}.lock`, JSON.stringify(owner));
    const r = await cliAsync(['workflow', 'state', 'start', file, '--node', 'cto_breakdown'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removing a stale lock (process ${pid} that took it is gone)`);
    expect(readRun(file).status).toBe('running');
    expect(readdirSync(dirname(file)).filter((n) => n.startsWith('dead-owner'))).toEqual(['dead-owner.yaml']);
  });

  it('a lock held by a live process is never taken over, however old: the writer gives up, writing nothing', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'live-old']);
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const start = readStart(sleeper.pid as number);
      const owner = { pid: sleeper.pid, start, host: hostname(), token: 'live-token', command: 'agent-team workflow run x', acquired_at: '2020-01-01T00:00:00Z' };
      writeFileSync(`${file}.lock`, JSON.stringify(owner));
      const old = new Date(Date.now() - 3600_000);
      utimesSync(`${file}.lock`, old, old);
      const r = await cliAsync(['workflow', 'state', 'start', file, '--node', 'cto_breakdown', '--json'], { cwd: repo.dir, env: { AGENT_TEAM_LOCK_WAIT_MS: '1500' } });
      expect(r.code, r.stderr).toBe(1);
      expect(r.json.error.code).toBe('lock_timeout');
      expect(r.json.error.message).toContain(`waiting for pid ${sleeper.pid} (agent-team workflow run x)`);
      expect(readRun(file).status).toBe('ready');
    } finally {
      sleeper.kill();
    }
  });
});

function readStart(pid: number): string {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] as string;
}

describe('lock paths', () => {
  it('a symlink, its target, and names that extend them (the controller lock <run>.run) share one lock', async () => {
    const { lockPathOf } = await import('../../src/store/lock.js');
    const file = initRun(repo.dir, repo.template, ['--run-id', 'paths']);
    const link = join(dirname(file), 'paths-link.yaml');
    symlinkSync(file, link);
    expect(lockPathOf(link)).toBe(lockPathOf(file));
    expect(lockPathOf(`${link}.run`)).toBe(lockPathOf(`${file}.run`));
    expect(lockPathOf(`${file}.run`)).toBe(`${lockPathOf(file).slice(0, -'.lock'.length)}.run.lock`);
    expect(lockPathOf(join(dirname(file), 'new.yaml'))).toBe(`${join(realpathSync(dirname(file)), 'new.yaml')}.lock`);
  });
});

describe('a late contender that judged the lock stale before another process took it', () => {
  it('never moves the live lock (the path is never free while its holder writes)', async () => {
    const { mkdtempSync, statSync, writeFileSync: write } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join: joinPath } = await import('node:path');
    const { lockPathOf, removeStaleLock, withFileLock: locked } = await import('../../src/store/lock.js');
    const file = joinPath(mkdtempSync(joinPath(tmpdir(), 'agent-team-late-contender-')), 'run.yaml');
    write(file, 'x: 1\n');
    await locked(file, () => {
      const lock = lockPathOf(file);
      const before = statSync(lock);
      // it saw an old stale lock (no owner token to compare) and only now gets to remove it
      expect(removeStaleLock(lock, undefined)).toBe(false);
      const after = statSync(lock);
      expect(after.ino).toBe(before.ino);
      // moving it aside and linking it back changes its ctime: that moment let a third process in
      expect(after.ctimeMs).toBe(before.ctimeMs);
    });
  });
});

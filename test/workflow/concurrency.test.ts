/** Many processes writing one run-state: no lost update, no torn file; stale locks are recovered. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliAsync } from '../helpers/cli.js';
import { initRun, readRun, repoWithWorkflow, show } from './support.js';
import './fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
});
afterAll(() => repo?.cleanup());

describe('concurrent writers', () => {
  it('25 processes: every process that exits 0 has exactly one decision_log entry, and the file parses', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'c50']);
    const N = 25;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        i % 5 === 0
          ? cliAsync(['workflow', 'state', 'start', file, '--node', 'cto_breakdown', '--worker', `p${i}`], { cwd: repo.dir })
          : cliAsync(['workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', `p${i}`], { cwd: repo.dir }),
      ),
    );
    const failed = results.map((r, i) => [i, r] as const).filter(([, r]) => r.code !== 0);
    expect(failed.map(([i, r]) => `p${i}: ${r.code} ${r.stderr}`)).toEqual([]);

    const s = readRun(file);
    expect(s.decision_log).toHaveLength(N);
    const tags = s.decision_log.map((e: { action: string; summary?: string; worker?: string }) => (e.action === 'start' ? e.worker : e.summary));
    expect([...tags].sort()).toEqual(Array.from({ length: N }, (_, i) => `p${i}`).sort());
    expect(s.decision_log.filter((e: { action: string }) => e.action === 'start')).toHaveLength(N / 5);
    // no lock folder or temp file left behind
    expect(readdirSync(dirname(file)).sort()).toEqual(['c50.yaml']);
  });

  it('concurrent completes of one node: exactly one wins, the others are refused, none is lost or doubled', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'race']);
    expect((await cliAsync(['workflow', 'state', 'start', file, '--node', 'cto_breakdown'], { cwd: repo.dir })).code).toBe(0);
    const results = await Promise.all(Array.from({ length: 10 }, () => cliAsync(['workflow', 'state', 'complete', file, '--node', 'cto_breakdown'], { cwd: repo.dir })));
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    for (const r of results.filter((x) => x.code === 1)) expect(r.stderr).toContain('is not the current node (current: controller_dispatch)');
    const s = readRun(file);
    expect(s.current_node).toBe('controller_dispatch');
    expect(s.decision_log.map((e: { action: string }) => e.action)).toEqual(['start', 'complete']);
    expect(readdirSync(dirname(file)).filter((n) => n.startsWith('race'))).toEqual(['race.yaml']);
  });
});

describe('locks', () => {
  it('a stale lock (a <file>.lock folder not refreshed for 60 s) is recovered', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'stale']);
    const lock = `${file}.lock`;
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const started = Date.now();
    const r = await cliAsync(['workflow', 'state', 'start', file, '--node', 'cto_breakdown'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(lock)).toBe(false);
    expect(readRun(file).status).toBe('running');
  });

  it('a stale lock met by 10 CLI writers at once: recovered once, no update lost', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'stale30']);
    const lock = `${file}.lock`;
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const N = 10;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => cliAsync(['workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', `s${i}`], { cwd: repo.dir })),
    );
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    const s = readRun(file);
    expect(s.decision_log.map((e: { summary: string }) => e.summary).sort()).toEqual(Array.from({ length: N }, (_, i) => `s${i}`).sort());
    expect(existsSync(lock)).toBe(false);
  });

  it('a stale lock met by many processes at the same instant is taken over by exactly one at a time', async () => {
    const worker = fileURLToPath(new URL('./lock-worker.mjs', import.meta.url));
    const N = 16;
    for (let round = 0; round < 3; round++) {
      const counter = join(repo.dir, `counter-${round}.txt`);
      writeFileSync(counter, '0');
      mkdirSync(`${counter}.lock`);
      const old = new Date(Date.now() - 60_000);
      utimesSync(`${counter}.lock`, old, old);
      // every contender loads the lock and says "ready"; then all get one start time, a moment ahead
      const contenders = Array.from({ length: N }, () => spawn(process.execPath, [worker, counter], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const codes = Promise.all(contenders.map((c) => new Promise<number | null>((resolve) => c.on('close', resolve))));
      await Promise.all(contenders.map((c) => new Promise<void>((resolve) => (c.stdout.on('data', (d) => String(d).includes('ready') && resolve()), c.on('close', () => resolve())))));
      const startAt = String(Date.now() + 100);
      for (const c of contenders) c.stdin.end(`${startAt}\n`);
      expect(await codes).toEqual(Array.from({ length: N }, () => 0));
      expect(readFileSync(counter, 'utf8'), `round ${round}`).toBe(String(N));
      expect(existsSync(`${counter}.lock`)).toBe(false);
    }
  });

  it('a live lock makes a writer wait until it is released, not fail', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'live']);
    const lock = `${file}.lock`;
    mkdirSync(lock);
    const writer = spawn(process.execPath, [BIN, 'workflow', 'state', 'start', file, '--node', 'cto_breakdown'], { cwd: repo.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    const code = new Promise<number | null>((resolve) => writer.on('close', resolve));
    let stderr = '';
    // the writer says whom it waits for (after a second of waiting): no fixed sleep
    await new Promise<void>((resolve) => {
      writer.stderr.on('data', (d) => (stderr += d).includes('waiting for') && resolve());
      void code.then(() => resolve());
    });
    expect(stderr).toContain('waiting for');
    expect(readRun(file).status).toBe('ready'); // still waiting for the lock
    // release it the way its holder would
    rmSync(lock, { recursive: true });
    expect(await code, stderr).toBe(0);
    expect(readRun(file).status).toBe('running');
  });
});

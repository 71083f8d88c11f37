/**
 * Issue 11, finding 5: inputs that hang or exhaust agent-team. FIFOs, devices, oversized files, YAML
 * alias bombs and templates outside the repository are refused with the file named; one bad file in
 * `runs/` only affects commands on that run; an interrupt is honoured while a command waits.
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { initRun, repoWithWorkflow, show } from '../workflow/support.js';
import { cliWithDeadline } from './support.js';
import '../workflow/fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
let runsDir: string;
let good: string;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
  good = initRun(repo.dir, repo.template, ['--run-id', 'good']);
  runsDir = dirname(good);
});
afterAll(() => repo?.cleanup());

describe('files that are not regular files', () => {
  it('a FIFO in runs/: state list shows it as unreadable and lists the other runs; state next of another run works', async () => {
    const fifo = join(runsDir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    try {
      const list = await cliWithDeadline(['workflow', 'state', 'list', '--json'], repo.dir);
      expect(list.timedOut, 'state list hung on the FIFO').toBe(false);
      expect(list.code, list.stderr).toBe(0);
      const fifoRow = list.json.runs.find((r: { path: string }) => r.path.endsWith('fifo.yaml'));
      expect(fifoRow).toMatchObject({ status: 'unreadable' });
      expect(fifoRow.error).toContain('is a FIFO (named pipe), not a regular file');
      expect(list.json.runs.some((r: { run_id: string; status: string }) => r.run_id === 'good' && r.status === 'ready')).toBe(true);

      const next = await cliWithDeadline(['workflow', 'state', 'next', good, '--json'], repo.dir);
      expect(next.timedOut, 'state next hung on another run').toBe(false);
      expect(next.code, next.stderr).toBe(0);
      expect(next.json.node.id).toBe('cto_breakdown');

      const showFifo = await cliWithDeadline(['workflow', 'state', 'show', fifo, '--json'], repo.dir);
      expect(showFifo.timedOut).toBe(false);
      expect(showFifo.code).toBe(2);
      expect(showFifo.json.error.message).toContain(`${fifo}: is a FIFO (named pipe), not a regular file`);
    } finally {
      rmSync(fifo, { force: true });
    }
  });

  it('a run-state that is /dev/zero (via a symlink) is refused at once, exit 2, naming the file', async () => {
    const zero = join(runsDir, 'zero.yaml');
    symlinkSync('/dev/zero', zero);
    try {
      const r = await cliWithDeadline(['workflow', 'state', 'wait', zero, '--node', 'cto_breakdown', '--reason', 'x', '--json'], repo.dir);
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(2);
      expect(r.json.error.message).toBe(`${zero}: is a device, not a regular file; agent-team reads a run-state only from a regular file`);
    } finally {
      rmSync(zero, { force: true });
    }
  });

  it('a run-state larger than 64 MB is refused without being read', async () => {
    const big = join(runsDir, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, 65 * 1024 * 1024); // sparse: costs no disk
    try {
      const r = await cliWithDeadline(['workflow', 'state', 'show', big, '--json'], repo.dir);
      expect(r.code).toBe(2);
      expect(r.json.error.code).toBe('file_too_large');
      expect(r.json.error.message).toContain(`${big}: is 65 MB, more than the 64 MB a run-state may have`);
    } finally {
      rmSync(big, { force: true });
    }
  });
});

describe('YAML alias bombs', () => {
  it('a 1 KB run-state with a 7-level alias bomb is refused (exit 2), never rewritten', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'bomb']);
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 7; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const text = readFileSync(file, 'utf8').replace('role_worker_map: {}', `role_worker_map: {}\nbomb:\n${levels.map((l) => `  ${l}`).join('\n')}`);
    writeFileSync(file, text);
    expect(text.length).toBeLessThan(2048);
    const r = await cliWithDeadline(['workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', 'x', '--json'], repo.dir, 60_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.json.error.code).toBe('yaml_alias_limit');
    expect(r.json.error.message).toContain(`${file}: uses YAML aliases that expand too far`);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a run-state with a few harmless aliases still reads', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'alias-ok']);
    const text = readFileSync(file, 'utf8').replace('role_worker_map: {}', 'role_worker_map: {}\nextra_a: &x {k: v}\nextra_b: *x');
    writeFileSync(file, text);
    expect(show(repo.dir, file).extra_b).toEqual({ k: 'v' });
  });
});

describe('workflow_file', () => {
  it('a workflow_file outside the repository is not loaded: the run refuses to move, naming the field', async () => {
    const outside = join(dirname(repo.dir), `outside-${Date.now()}.yaml`);
    writeFileSync(outside, readFileSync(repo.template));
    try {
      const file = initRun(repo.dir, repo.template, ['--run-id', 'outside']);
      // workflow_file is resolved against the repository root: ../<name> is the file next to the repository
      const text = readFileSync(file, 'utf8').replace(/workflow_file: .*/, `workflow_file: ../${outside.split('/').pop()}`);
      writeFileSync(file, text);
      const r = await cliWithDeadline(['workflow', 'state', 'start', file, '--node', 'cto_breakdown', '--json'], repo.dir);
      expect(r.code, r.stderr).toBe(1);
      expect(r.json.error.message).toContain(`outside the repository`);
      expect(readFileSync(file, 'utf8')).toBe(text);
      const next = await cliWithDeadline(['workflow', 'state', 'next', file, '--json'], repo.dir);
      expect(next.code).toBe(1);
      expect(next.json.error.code).toBe('template_unusable');
    } finally {
      rmSync(outside, { force: true });
    }
  });
});

describe('interrupts', () => {
  it('SIGTERM while waiting for a lock: exit 130, nothing written', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'term']);
    const before = readFileSync(file, 'utf8');
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const stat = readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      const { hostname } = await import('node:os');
      writeFileSync(`${file}.lock`, JSON.stringify({ pid: sleeper.pid, start, host: hostname(), token: 't', command: 'agent-team x', acquired_at: '' }));
      const child = spawn(process.execPath, [BIN, 'workflow', 'state', 'start', file, '--node', 'cto_breakdown', '--json'], { cwd: repo.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => {
        stderr += d;
        if (String(d).includes('waiting for')) child.kill('SIGTERM');
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(130);
      expect(JSON.parse(stdout).error.code).toBe('interrupted');
      expect(readFileSync(file, 'utf8')).toBe(before);
      rmSync(`${file}.lock`);
    } finally {
      sleeper.kill();
    }
  });
});

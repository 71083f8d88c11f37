/**
 * Issue 11, finding 7 (store half): an interrupt never contradicts a finished write. A transition that
 * was written reports success (exit 0, exactly one JSON document) even when SIGINT/SIGTERM arrives after
 * the write; one that was not written reports "interrupted" (exit 130, one document). Signals are sent
 * the moment the result appears on stdout, and at spread-out moments before.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { initRun, repoWithWorkflow, show } from '../workflow/support.js';
import '../workflow/fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
});
afterAll(() => repo?.cleanup());

interface Outcome {
  reason: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs `state wait --reason <reason> --json` and signals it when stdout shows output, or after `delayMs`. */
function interrupted(file: string, reason: string, signal: NodeJS.Signals, delayMs: number | 'on-output'): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', reason, '--json'], {
      cwd: repo.dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    let sent = false;
    const send = () => {
      if (sent) return;
      sent = true;
      child.kill(signal);
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      if (delayMs === 'on-output') send();
    });
    if (delayMs !== 'on-output') setTimeout(send, delayMs);
    child.on('close', (code, sig) => resolve({ reason, code, signal: sig, stdout }));
  });
}

/** Splits stdout into top-level JSON documents (each printed as a pretty block ending in "}\n"). */
function documents(stdout: string): unknown[] {
  return stdout
    .split(/\n(?=\{)/)
    .filter((s) => s.trim() !== '')
    .map((s) => JSON.parse(s));
}

describe('interrupts after the write', () => {
  it('a written transition exits 0 with one JSON document; an unwritten one exits 130 with one', async () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'intr']);
    const outcomes: Outcome[] = [];
    // Sequential, so each run meets the signal at its own moment (not a queue behind a lock).
    for (let i = 0; i < 24; i++) {
      const delay = i % 3 === 0 ? 'on-output' : 60 + ((i * 37) % 400);
      outcomes.push(await interrupted(file, `i${i}`, i % 2 ? 'SIGTERM' : 'SIGINT', delay));
    }
    const recorded = new Set(show(repo.dir, file).decision_log.map((e: { summary?: string }) => e.summary));
    for (const o of outcomes) {
      const docs = documents(o.stdout);
      const label = `${o.reason}: exit ${o.code}, stdout ${o.stdout}`;
      expect(docs.length, label).toBeLessThanOrEqual(1);
      if (recorded.has(o.reason)) {
        expect(o.code, label).toBe(0);
        expect(docs[0], label).toMatchObject({ ok: true, action: 'wait' });
      } else {
        // 130 through the funnel; or, in the few ms before the CLI installs its handlers, the signal's default action
        if (o.code === null) expect(o.signal, label).toMatch(/^SIG(INT|TERM)$/);
        else expect(o.code, label).toBe(130);
        if (docs.length) expect(docs[0], label).toMatchObject({ ok: false, error: { code: 'interrupted' } });
      }
    }
    // the runs signalled on output had written: all of them must report success
    const onOutput = outcomes.filter((_, i) => i % 3 === 0);
    expect(onOutput.every((o) => recorded.has(o.reason) && o.code === 0), JSON.stringify(onOutput.map((o) => [o.reason, o.code]))).toBe(true);
  });
});

/** Helpers for the store tests: a CLI run with a deadline (a hang fails the test instead of the suite). */
import { spawn } from 'node:child_process';
import { BIN } from '../helpers/cli.js';

/** What {@link cliWithDeadline} saw: exit code (null when killed), output, and whether the deadline passed. */
export interface DeadlineResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  json?: any;
}

/** Runs the built CLI; SIGKILLs it when it has not exited after `ms` (a hang, e.g. a FIFO read). */
export function cliWithDeadline(args: string[], cwd: string, ms = 20_000, env: Record<string, string> = {}): Promise<DeadlineResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, timedOut, json });
    });
  });
}

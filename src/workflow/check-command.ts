/** Running a node's `command:` (verify_or_test / controller_task) and summarizing its output. */
import { spawn } from 'node:child_process';

/** Result of {@link runCheckCommand}: exit code (null when killed), combined output tail, duration in ms. */
export interface CheckResult {
  exitCode: number | null;
  passed: boolean;
  tail: string;
  durationMs: number;
}

/** Keeps the last `maxLines` lines and at most `maxChars` characters of `text`. */
export function tailOf(text: string, maxLines = 15, maxChars = 1500): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const tail = lines.slice(-maxLines).join('\n');
  return tail.length > maxChars ? `…${tail.slice(-maxChars)}` : tail;
}

/**
 * Runs `command` through `/bin/sh -c` in `cwd` (the template's command is a shell line by design),
 * with stdin closed, capturing stdout+stderr. Kills it after `timeoutMs` (default 10 min). Never throws
 * for a failing command; rejects only when the shell cannot be started.
 */
export function runCheckCommand(command: string, cwd: string, timeoutMs = 600_000, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // its own process group, so a timeout kills the command's children too (not only the shell)
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString('utf8');
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, passed: code === 0, tail: tailOf(output), durationMs: Date.now() - started });
    });
  });
}

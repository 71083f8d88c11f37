/** Running an external program with an argument array (never through a shell), for the session backends. */
import { spawn } from 'node:child_process';
import { OperationError } from '../errors.js';

/** What a finished program produced. `code` is the exit code (-1 when killed by a signal). */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  /** Written to the program's stdin, which is then closed (stdin is empty otherwise). */
  input?: string;
  /** Kill the program after this long (default 10 000 ms). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Added to the error when the program is not installed, e.g. `set AGENT_TEAM_BACKEND=process`. */
  missingHint?: string;
}

/**
 * Runs `file args…` and resolves with its exit code and output, whatever the exit code. Throws
 * OperationError `not_installed` when `file` is not found and `timeout` when it runs too long.
 */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') {
        reject(new OperationError(`${file} is not installed (not found on PATH)`, { code: 'not_installed', hint: options.missingHint, cause: error }));
      } else {
        reject(new OperationError(`could not run ${file}: ${error.message}`, { cause: error }));
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new OperationError(`${file} ${args[0] ?? ''} did not finish within ${timeoutMs} ms`, { code: 'timeout' }));
      } else {
        resolve({ code: code ?? -1, stdout, stderr });
      }
    });
    if (options.input !== undefined && child.stdin) {
      // A program that exits without reading its stdin must not crash us with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

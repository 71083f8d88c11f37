/**
 * Running an external program with an argument array (never through a shell) for the session backends
 * and provider probes, through execa (loaded on the first call: the hot workflow commands never pay
 * for it).
 */
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
  /** Kill the program (SIGKILL) after this long (default 10 000 ms). */
  timeoutMs?: number;
  /** The program's whole environment (default `process.env`); not merged with ours. */
  env?: NodeJS.ProcessEnv;
  /** Added to the error when the program is not installed, e.g. `set AGENT_TEAM_BACKEND=process`. */
  missingHint?: string;
}

/**
 * Runs `file args…` and resolves with its exit code and output (untrimmed), whatever the exit code.
 * Throws OperationError `not_installed` when `file` is not found, `timeout` when it runs longer than
 * `timeoutMs`, `failed` when it cannot be started for another reason.
 */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    env: options.env ?? process.env,
    extendEnv: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    reject: false,
    stripFinalNewline: false,
  });
  if (result.timedOut) {
    throw new OperationError(`${file} ${args[0] ?? ''} did not finish within ${timeoutMs} ms`, { code: 'timeout' });
  }
  if (result.exitCode === undefined && result.signal === undefined) {
    // It never ran: execa reports the spawn error (ENOENT, EACCES…) with no exit code and no signal.
    if (result.code === 'ENOENT') {
      throw new OperationError(`${file} is not installed (not found on PATH)`, { code: 'not_installed', hint: options.missingHint, cause: result.cause });
    }
    throw new OperationError(`could not run ${file}: ${result.originalMessage ?? result.shortMessage}`, { cause: result.cause });
  }
  return { code: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A node's check command with `retry:` and `timeout:` (DESIGN.md "Parallel runs"): the command runs up to
 * `retry + 1` times until it exits 0; each run is killed (its whole process group) after `timeout` and then
 * counts as failed. Only the last run's result counts.
 */
import { runCheckCommand, type CheckResult } from './check-command.js';
import { durationMs } from './parallel-schema.js';
import type { WorkflowNode } from './schema.js';

/** Default limit of one check run without `timeout:` (10 minutes, as before). */
const DEFAULT_TIMEOUT_MS = 600_000;

/** Result of {@link runCheckWithRetry}: the last run's result (`timedOut` when it was killed) and how many runs it took. */
export interface RetriedCheck extends CheckResult {
  attempts: number;
}

/**
 * Runs `node.command` in `dir` as {@link runCheckCommand} does, again up to `node.retry` times while it
 * fails; `onRetry(attempt, result)` is told of each failed run that is retried. Rejects only when the
 * shell cannot start.
 */
export async function runCheckWithRetry(command: string, node: WorkflowNode, dir: string, onRetry?: (attempt: number, result: CheckResult) => void): Promise<RetriedCheck> {
  const timeoutMs = durationMs(node.timeout) ?? DEFAULT_TIMEOUT_MS;
  const runs = (node.retry ?? 0) + 1;
  let attempt = 0;
  for (;;) {
    attempt++;
    const result = await runCheckCommand(command, dir, timeoutMs);
    if (result.passed || attempt >= runs) return { ...result, attempts: attempt };
    onRetry?.(attempt, result);
  }
}

/**
 * Running a node's `command:` (verify_or_test / controller_task) and summarizing its output. The command
 * runs through `/bin/sh -c` (a template's command is a shell line by design) with execa, in its own
 * process group, so a timeout kills everything it started and it never outlives the `workflow run`
 * that started it: a watcher in that group holds the read end of a pipe whose write end only this
 * process holds, and kills the group when the pipe closes — on any exit of agent-team, SIGKILL included.
 * The run-state records a check while it runs (`node_states.<id>.check`), so a check whose runner died
 * is reported by the next `workflow run` instead of being run again silently.
 */
import { hostname } from 'node:os';
import type { NodeState } from './schema.js';
import { mutateRun } from './state-service.js';
import { timestamp } from './run-state.js';
import { agentTeam } from './shell-quote.js';

/** Result of {@link runCheckCommand}: exit code (null when killed), combined output tail, duration in ms. */
export interface CheckResult {
  exitCode: number | null;
  passed: boolean;
  tail: string;
  durationMs: number;
  /** Set when the check was killed because it ran past the timeout. */
  timedOut: boolean;
}

/** Keeps the last `maxLines` lines and at most `maxChars` characters of `text`. */
export function tailOf(text: string, maxLines = 15, maxChars = 1500): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const tail = lines.slice(-maxLines).join('\n');
  return tail.length > maxChars ? `…${tail.slice(-maxChars)}` : tail;
}

/**
 * The shell line that runs the check: a watcher `(read <&3; kill -KILL 0) &` in the group, then the
 * command itself (`$1`) with fd 3 closed. `kill 0` signals the whole process group of the watcher,
 * which is the check's group (execa `detached`).
 */
const WRAPPER = '(read -r _ <&3; kill -KILL 0) >/dev/null 2>&1 & exec 3<&-; exec /bin/sh -c "$1"';

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

/**
 * Runs `command` through `/bin/sh -c` in `cwd` with stdin closed, capturing stdout+stderr, in its own
 * process group. After `timeoutMs` (default 10 min) the whole group gets SIGTERM, then SIGKILL 2 s
 * later; when the command ends, whatever it left running in its group is killed too. Never throws for a
 * failing command; rejects only when the shell cannot be started.
 */
export async function runCheckCommand(command: string, cwd: string, timeoutMs = 600_000, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  const started = Date.now();
  const { execa } = await import('execa'); // loaded only when a check runs (start-up cost)
  const child = execa('/bin/sh', ['-c', WRAPPER, 'agent-team-check', command], {
    cwd,
    env,
    extendEnv: false,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    all: true,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 200_000_000,
  });
  // When the command itself ends, the watcher (and anything the command left in its group) is ended too;
  // execa resolves only once every stdio stream of the group is closed.
  child.once('exit', () => {
    (child.stdio[3] as unknown as { destroy?: () => void } | null)?.destroy?.();
    killGroup(child.pid, 'SIGKILL');
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2000).unref();
  }, timeoutMs);
  try {
    const result = await child;
    if (result.failed && result.exitCode === undefined && result.signal === undefined && result.cause) throw result.cause;
    const output = typeof result.all === 'string' ? result.all : '';
    return { exitCode: result.exitCode ?? null, passed: result.exitCode === 0 && !timedOut, tail: tailOf(output), durationMs: Date.now() - started, timedOut };
  } finally {
    clearTimeout(timer);
    // closing our end of the watcher's pipe ends the watcher, which kills what the check left behind
    (child.stdio[3] as unknown as { destroy?: () => void } | null)?.destroy?.();
    killGroup(child.pid, 'SIGKILL');
  }
}

/** What the run-state records while a check runs: `node_states.<id>.check`. */
export interface RecordedCheck {
  command: string;
  started_at: string;
  pid: number;
  host: string;
}

/** The check recorded on `ns` and not finished (its runner died), if any. */
export function unfinishedCheck(ns: NodeState | undefined): RecordedCheck | undefined {
  const check = (ns as (NodeState & { check?: RecordedCheck }) | undefined)?.check;
  return check && typeof check.command === 'string' ? check : undefined;
}

/** Records on the run-state (under its lock) that `command` is running for node `node`. */
export async function recordCheckStart(stateFile: string, cwd: string, node: string, command: string, now = new Date()): Promise<RecordedCheck> {
  const check: RecordedCheck = { command, started_at: timestamp(now), pid: process.pid, host: hostname() };
  await mutateRun(stateFile, cwd, (run) => {
    const ns = run.state.node_states[node] ?? { status: 'pending' as const };
    return { result: undefined, state: { ...run.state, node_states: { ...run.state.node_states, [node]: { ...ns, check } } } };
  });
  return check;
}

/** Removes the check record of node `node` (the check finished; its result is recorded by the transition that follows). */
export async function clearCheck(stateFile: string, cwd: string, node: string): Promise<void> {
  await mutateRun(stateFile, cwd, (run) => {
    const ns = run.state.node_states[node];
    if (!unfinishedCheck(ns)) return { result: undefined };
    const { check: _dropped, ...rest } = ns as NodeState & { check?: RecordedCheck };
    return { result: undefined, state: { ...run.state, node_states: { ...run.state.node_states, [node]: rest as NodeState } } };
  });
}

/** Why `workflow run` stops at an unfinished check, with the command that runs it again (safe to paste). */
export function describeUnfinishedCheck(node: string, check: RecordedCheck, stateFile: string): string {
  return (
    `the check \`${check.command}\` of node ${node}, started at ${check.started_at} by pid ${check.pid} on ${check.host}, did not finish ` +
    `(the workflow run that ran it was interrupted or killed); it was not run again. Look at what it left, then run it again: ` +
    `${agentTeam('workflow', 'run', stateFile, '--rerun-check')}`
  );
}

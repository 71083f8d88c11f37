/**
 * Running a node's `command:` (verify_or_test / controller_task) and summarizing its output. The command
 * runs through `/bin/sh -c` (a template's command is a shell line by design) with execa, in its own
 * process group, so a timeout kills everything it started and it never outlives the `workflow run`
 * that started it: a watcher in that group holds the read end of a pipe whose write end only this
 * process holds, and kills the group when the pipe closes — on any exit of agent-team, SIGKILL included.
 * The run-state records a check while it runs (`node_states.<id>.check`), so a check whose runner died
 * is reported by the next `workflow run` instead of being run again silently.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { writeFileAtomicSync } from '../store/atomic-write.js';
import { projectRoot } from '../store/paths.js';
import type { NodeState } from './schema.js';
import { mutateRun } from './state-service.js';
import { timestamp } from './run-state.js';
import { agentTeam } from './shell-quote.js';

/** Result of {@link runCheckCommand}: exit code (null when killed), combined output (whole, and its tail), duration in ms. */
export interface CheckResult {
  exitCode: number | null;
  passed: boolean;
  tail: string;
  /** stdout and stderr as they came, whole (see {@link keepCheckOutput} for the bounded copy on disk). */
  output: string;
  durationMs: number;
  /** Set when the check was killed because it ran past the timeout. */
  timedOut: boolean;
}

/** A TAP result line that failed (`not ok 5 - sum`, indented in subtests), as `node --test` prints it. */
const NOT_OK = /^(\s*)not ok \d+/;

/** A line that says something failed, in most test runners' and compilers' words. */
const FAILING = /\b(?:error|errors|fail|failed|failing|failure|assert(?:ion)?|expected|exception|panic(?:ked)?|traceback)\b|\u2717|\u2718|\u00d7/i;

/**
 * The part of a check's `output` that says what failed, for a fix task (at most `maxChars`): for TAP
 * (`node --test`, tap reporters) every `not ok` line with the diagnostic block indented under it (the
 * test's name, location and assertion) — innermost failures first, so a parent's "1 subtest failed" does
 * not crowd out its child; otherwise the first lines that say error/fail/assert/expected (each with the
 * two lines after it), then the last lines; without either, the last lines ({@link tailOf}).
 */
export function failureExcerpt(output: string, maxChars = 2500): string {
  const lines = output.replace(/\s+$/, '').split('\n');
  const blocks: { depth: number; text: string }[] = [];
  lines.forEach((line, i) => {
    const m = NOT_OK.exec(line);
    if (!m) return;
    const depth = (m[1] as string).length;
    let end = i + 1;
    const under = (l: string) => l.trim() === '' || l.length - l.trimStart().length > depth;
    while (end < lines.length && end - i < 40 && under(lines[end] as string) && !NOT_OK.test(lines[end] as string)) end++;
    blocks.push({ depth, text: withoutStack(lines.slice(i, end)).join('\n').replace(/\s+$/, '') });
  });
  if (blocks.length) {
    const ordered = [...blocks].sort((a, b) => b.depth - a.depth);
    return bounded(ordered.map((b) => b.text).join('\n'), maxChars);
  }
  const hits: number[] = [];
  for (let i = 0; i < lines.length && hits.length < 8; i++) if (FAILING.test(lines[i] as string)) hits.push(i);
  const tail = tailOf(output, 8, Math.floor(maxChars / 2));
  if (hits.length === 0) return tailOf(output, 15, maxChars);
  const picked = new Set<number>();
  for (const i of hits) for (let j = i; j <= i + 2 && j < lines.length - 8; j++) picked.add(j);
  const first = [...picked].sort((a, b) => a - b).map((i) => lines[i] as string).join('\n');
  return first ? `${bounded(first, maxChars - tail.length - 2)}\n…\n${tail}` : tail;
}

/** A TAP diagnostic block without its `stack:` entry (the runner's own frames; the location says where). */
function withoutStack(block: string[]): string[] {
  const at = block.findIndex((l) => /^\s*stack: ?\|/.test(l));
  if (at < 0) return block;
  const depth = (block[at] as string).length - (block[at] as string).trimStart().length;
  let end = at + 1;
  while (end < block.length && ((block[end] as string).trim() === '' || (block[end] as string).length - (block[end] as string).trimStart().length > depth)) end++;
  return [...block.slice(0, at), ...block.slice(end)];
}

function bounded(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, Math.max(0, maxChars - 1))}…` : text;
}

/** Most of a check's output kept on disk (characters): its first and last half of this. */
const KEPT_CHARS = 256_000;

/**
 * Writes a check's whole `output` (bounded: the first and last {@link KEPT_CHARS}/2 characters, with a
 * line saying how much was left out between them) to `<run-id>.checks/<node>-<visit>.log` next to the
 * run-state `stateFile` (an instance `api/2` as `api-2`), atomically. Returns its path relative to the
 * project root (`.agents/workflow/runs/<workflow>/<run-id>.checks/…`). Throws on an I/O failure.
 */
export function keepCheckOutput(stateFile: string, cwd: string, nodeId: string, visit: number, output: string): string {
  const state = resolve(cwd, stateFile);
  const dir = join(dirname(state), `${basename(state).replace(/\.ya?ml$/, '')}.checks`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${nodeId.replaceAll('/', '-')}-${visit}.log`);
  const half = KEPT_CHARS / 2;
  const text = output.length > KEPT_CHARS ? `${output.slice(0, half)}\n… ${output.length - KEPT_CHARS} characters left out …\n${output.slice(-half)}` : output;
  writeFileAtomicSync(file, text);
  return relative(projectRoot(dirname(state)), file);
}

/**
 * The summary of a check run for the node (and the fix task that quotes it): the command, how it
 * ended (`exited 1`, `was killed after 5m (timeout)`), where its whole output is kept, and the part that
 * says what failed ({@link failureExcerpt}; the last lines when it passed).
 */
export function checkSummary(command: string, ended: string, result: Pick<CheckResult, 'passed' | 'output' | 'tail'>, kept?: string): string {
  const part = result.passed ? result.tail : failureExcerpt(result.output);
  return `\`${command}\` ${ended}${kept ? ` (whole output: ${kept})` : ''}${part ? `:\n${part}` : ''}`;
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
    return { exitCode: result.exitCode ?? null, passed: result.exitCode === 0 && !timedOut, tail: tailOf(output), output, durationMs: Date.now() - started, timedOut };
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

/**
 * Removes the check record of node `node` (the check finished; its result is recorded by the transition
 * that follows) and records `output`, the path of its kept output ({@link keepCheckOutput}), as the
 * node's `check_output` (ours; Go ignores it), in the same write.
 */
export async function clearCheck(stateFile: string, cwd: string, node: string, output?: string): Promise<void> {
  await mutateRun(stateFile, cwd, (run) => {
    const ns = run.state.node_states[node];
    if (!unfinishedCheck(ns) && (output === undefined || !ns)) return { result: undefined };
    const { check: _dropped, ...rest } = ns as NodeState & { check?: RecordedCheck };
    return { result: undefined, state: { ...run.state, node_states: { ...run.state.node_states, [node]: { ...rest, ...(output !== undefined ? { check_output: output } : {}) } as NodeState } } };
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

/**
 * Worker events: `.agents/workers/<id>/events.jsonl`, one JSON object a line (format: event-line.ts),
 * appended under the file's lock by the worker's hook script (the hook program, hook-program.ts, which
 * the agent CLI's hooks run, see src/provider), by `agent-team worker event <id> <event>` (the same line;
 * users' own hooks and the Go-compatible path) and by `worker open` (`launch`). Reads are bounded (the
 * last 256 KiB).
 */
import { accessSync, chmodSync, closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellWord } from '../provider/shell.js';
import { appendEventLine, assertEvent, recordEventLine, type WorkerEventRecord } from './event-line.js';
import { workerPaths } from './paths.js';

export { eventRecord, type WorkerEventRecord } from './event-line.js';

/** `.agents/workers/<id>/events.jsonl`. */
export function eventsPath(root: string, id: string): string {
  return join(workerPaths(root, id).dir, 'events.jsonl');
}

/** Appends `record` to worker `id`'s events.jsonl under the file's lock. Throws the fs error when the worker folder is missing. */
export async function appendEvent(root: string, id: string, record: WorkerEventRecord): Promise<void> {
  await appendEventLine(eventsPath(root, id), record);
}

/** Worker `id`'s events, oldest first, from the last 256 KiB of the file ([] when there is none; bad lines skipped). */
export function readEvents(root: string, id: string): WorkerEventRecord[] {
  const path = eventsPath(root, id);
  if (!existsSync(path)) return [];
  const fd = openSync(path, 'r');
  let text: string;
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 262_144);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    text = buffer.toString('utf8');
    if (length < size) text = text.slice(text.indexOf('\n') + 1);
  } finally {
    closeSync(fd);
  }
  const out: WorkerEventRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const r = JSON.parse(line) as WorkerEventRecord;
      if (typeof r.at === 'string' && typeof r.event === 'string') out.push(r);
    } catch {
      // a torn or foreign line: skip
    }
  }
  return out;
}

/** The bin/agent-team.js of this installation (dist/<dir>/x.js and dist/bundle/agent-team.cjs are both two folders deep). */
export function agentTeamBin(): string {
  return fileURLToPath(new URL('../../bin/agent-team.js', import.meta.url));
}

/**
 * The hook program of this installation, `dist/worker/hook-program.js` (tsc output, not bundled): the
 * same path from dist/worker/, dist/bundle/ and src/worker/ (tests), all two folders below the package.
 */
export function hookProgram(): string {
  return fileURLToPath(new URL('../../dist/worker/hook-program.js', import.meta.url));
}

/** `.agents/workers/<id>/hook`: the script every provider hook runs. */
export function hookScriptPath(root: string, id: string): string {
  return join(workerPaths(root, id).dir, 'hook');
}

/** The absolute path of executable `name` in a folder of $PATH; undefined when there is none. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Writes worker `id`'s hook script: `hook <event> [json]` records the event with the payload from stdin
 * (or the second argument, as codex's `notify` passes it) through the hook program (hook-program.ts:
 * node and a few small modules, not the CLI; `agent-team worker event` when this installation has no
 * built hook program), stdout discarded (claude adds a hook's stdout to the conversation), always exit
 * 0 (a failing hook must never block the agent's prompt). Errors go to `hook.log` next to it. The event
 * is recorded even when the agent's process group is signalled meanwhile (the agent killed during its
 * SessionStart hook lost the session id): the script ignores HUP, INT and TERM, and the hook program runs
 * in a session of its own (`setsid`, where there is one; else it ignores them itself, hook-program.ts).
 * Returns the path.
 */
export function writeHookScript(root: string, id: string): string {
  const path = hookScriptPath(root, id);
  const dir = workerPaths(root, id).dir;
  mkdirSync(dir, { recursive: true });
  const program = hookProgram();
  const setsid = onPath('setsid');
  const run = existsSync(program)
    ? [...(setsid ? [shellWord(setsid)] : []), shellWord(process.execPath), shellWord(program), shellWord(eventsPath(root, id)), '"$1"'].join(' ')
    : [shellWord(process.execPath), shellWord(agentTeamBin()), 'worker', 'event', shellWord(id), '"$1"', '--root', shellWord(root)].join(' ');
  const log = shellWord(join(dir, 'hook.log'));
  writeFileSync(
    path,
    `#!/bin/sh\n# agent-team: reports this worker's agent events (generated by \`agent-team worker open\`).\n# The agent may be killed or interrupted while this runs: its process group's signals must not lose the event.\ntrap '' HUP INT TERM\nif [ -n "$2" ]; then printf '%s' "$2" | ${run} >/dev/null 2>>${log}; else ${run} >/dev/null 2>>${log}; fi\nexit 0\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/**
 * `worker event <id> <event>`: records one event from a hook with its payload text (JSON, may be empty).
 * Throws UsageError for an unknown event, OperationError `unknown_worker` when the worker does not exist.
 */
export async function recordWorkerEvent(root: string, id: string, event: string, payloadText: string, now: Date = new Date()): Promise<WorkerEventRecord> {
  assertEvent(event);
  const { readWorkerConfig } = await import('./config.js');
  readWorkerConfig(root, id);
  return recordEventLine(eventsPath(root, id), event, payloadText, now);
}

/**
 * Worker events: `.agents/workers/<id>/events.jsonl`, one JSON object a line, appended under the file's
 * lock by `agent-team worker event <id> <event>` (which the agent CLI's hooks run, see src/provider) and
 * by `worker open` (`launch`). A line: `{"at":"<ISO time>","event":"<name>","session_id"?,"data"?}`
 * where `data` keeps the few payload fields agent-team reads (notification_type, error, message,
 * reset time, prompt length). Reads are bounded (the last 256 KiB).
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, openSync, readSync, closeSync, fstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { WORKER_EVENTS, type WorkerEvent } from '../provider/index.js';
import { shellWord } from '../provider/shell.js';
import { withFileLock } from '../store/lock.js';
import { workerPaths } from './paths.js';

/** One line of events.jsonl. `at` is an ISO 8601 UTC time with milliseconds. */
export interface WorkerEventRecord {
  at: string;
  event: WorkerEvent;
  session_id?: string;
  data?: Record<string, string | number | boolean>;
}

/** `.agents/workers/<id>/events.jsonl`. */
export function eventsPath(root: string, id: string): string {
  return join(workerPaths(root, id).dir, 'events.jsonl');
}

/** Throws UsageError (exit 2) listing the events unless `name` is one of {@link WORKER_EVENTS}. */
export function assertEvent(name: string): WorkerEvent {
  if (!(WORKER_EVENTS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown worker event ${JSON.stringify(name)}; known events: ${WORKER_EVENTS.join(', ')}`, { code: 'unknown_event' });
  }
  return name as WorkerEvent;
}

/** Payload fields kept in `data` (the rest — transcripts, prompts — stays with the agent). */
const KEPT = ['hook_event_name', 'notification_type', 'error', 'error_type', 'message', 'reason', 'resets_at', 'reset_at', 'retry_after', 'source', 'title'];

/**
 * The record for `event` from a hook payload (any JSON value; claude/codex/gemini send an object with
 * `session_id`, opencode's plugin `{session_id}`, agy `conversationId`): the session id, kept fields (strings cut to 500
 * characters) and the prompt's length (never its text).
 */
export function eventRecord(event: WorkerEvent, payload: unknown, now: Date = new Date()): WorkerEventRecord {
  const record: WorkerEventRecord = { at: now.toISOString(), event };
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    const p = payload as Record<string, unknown>;
    const session = p.session_id ?? p.sessionId ?? p.thread_id ?? p.conversationId; // agy: conversationId
    if (typeof session === 'string' && session !== '') record.session_id = session.slice(0, 200);
    const data: Record<string, string | number | boolean> = {};
    for (const key of KEPT) {
      const v = p[key];
      if (typeof v === 'string') data[key] = v.slice(0, 500);
      else if (typeof v === 'number' || typeof v === 'boolean') data[key] = v;
      else if (v && typeof v === 'object') data[key] = JSON.stringify(v).slice(0, 500);
    }
    if (typeof p.prompt === 'string') data.prompt_chars = p.prompt.length;
    if (Object.keys(data).length > 0) record.data = data;
  }
  return record;
}

/** Appends `record` to worker `id`'s events.jsonl under the file's lock. Throws the fs error when the worker folder is missing. */
export async function appendEvent(root: string, id: string, record: WorkerEventRecord): Promise<void> {
  const path = eventsPath(root, id);
  await withFileLock(path, () => appendFileSync(path, `${JSON.stringify(record)}\n`));
}

/** Parses JSON payload text; undefined for empty text, `{ raw }` for text that is not JSON. */
export function parsePayload(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return { message: t.slice(0, 500) };
  }
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

/** `.agents/workers/<id>/hook`: the script every provider hook runs. */
export function hookScriptPath(root: string, id: string): string {
  return join(workerPaths(root, id).dir, 'hook');
}

/**
 * Writes worker `id`'s hook script: `hook <event> [json]` runs `agent-team worker event` with the
 * payload from stdin (or the second argument, as codex's `notify` passes it), stdout discarded (claude
 * adds a hook's stdout to the conversation) and always exits 0 (a failing hook must never block the
 * agent's prompt). Errors go to `hook.log` next to it. Returns the path.
 */
export function writeHookScript(root: string, id: string): string {
  const path = hookScriptPath(root, id);
  mkdirSync(workerPaths(root, id).dir, { recursive: true });
  const run = [shellWord(process.execPath), shellWord(agentTeamBin()), 'worker', 'event', shellWord(id), '"$1"', '--root', shellWord(root)].join(' ');
  const log = shellWord(join(workerPaths(root, id).dir, 'hook.log'));
  writeFileSync(
    path,
    `#!/bin/sh\n# agent-team: reports this worker's agent events (generated by \`agent-team worker open\`).\nif [ -n "$2" ]; then printf '%s' "$2" | ${run} >/dev/null 2>>${log}; else ${run} >/dev/null 2>>${log}; fi\nexit 0\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/**
 * `worker event <id> <event>`: records one event from a hook with its payload text (JSON, may be empty).
 * Throws UsageError for an unknown event, OperationError `unknown_worker` when the worker does not exist.
 */
export async function recordWorkerEvent(root: string, id: string, event: string, payloadText: string, now: Date = new Date()): Promise<WorkerEventRecord> {
  const name = assertEvent(event);
  const { readWorkerConfig } = await import('./config.js');
  readWorkerConfig(root, id);
  const record = eventRecord(name, parsePayload(payloadText), now);
  await appendEvent(root, id, record);
  return record;
}

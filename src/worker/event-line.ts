/**
 * The one implementation of a line of `.agents/workers/<id>/events.jsonl`: which events exist, what a
 * record keeps from a hook's payload, and how it is appended (under the file's lock, store/lock.ts).
 * Two writers use it: `agent-team worker event` (events.ts, the Go-compatible path) and the hook program
 * (hook-program.ts) that every worker's hook script runs. This module stays lean on purpose — it imports
 * only node built-ins, errors.ts, the provider event list (provider/types.ts, no imports) and the lock —
 * so the hook program starts in a few milliseconds instead of loading the whole CLI.
 *
 * A line: `{"at":"<ISO time>","event":"<name>","session_id"?,"data"?}` where `data` keeps the few payload
 * fields agent-team reads (notification_type, error, message, reset time, prompt length).
 */
import { appendFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { WORKER_EVENTS, type WorkerEvent } from '../provider/types.js';
import { withFileLock } from '../store/lock.js';

/** One line of events.jsonl. `at` is an ISO 8601 UTC time with milliseconds. */
export interface WorkerEventRecord {
  at: string;
  event: WorkerEvent;
  session_id?: string;
  data?: Record<string, string | number | boolean>;
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
 * `session_id`, opencode's plugin `{session_id}`, agy `conversationId`): the session id, kept fields
 * (strings cut to 500 characters) and the prompt's length (never its text).
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

/** Parses JSON payload text; undefined for empty text, `{ message }` (first 500 characters) for text that is not JSON. */
export function parsePayload(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return { message: t.slice(0, 500) };
  }
}

/** Appends `record` as one line to the events file `path` under the file's lock. Throws the fs error when its folder is missing. */
export async function appendEventLine(path: string, record: WorkerEventRecord): Promise<void> {
  await withFileLock(path, () => appendFileSync(path, `${JSON.stringify(record)}\n`));
}

/**
 * Records hook event `name` with its payload text (JSON, may be empty) in the events file `path`: checks
 * the name (UsageError), builds the record and appends it. Returns the record.
 */
export async function recordEventLine(path: string, name: string, payloadText: string, now: Date = new Date()): Promise<WorkerEventRecord> {
  const record = eventRecord(assertEvent(name), parsePayload(payloadText), now);
  await appendEventLine(path, record);
  return record;
}

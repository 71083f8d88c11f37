/**
 * The JSON error document every `--json` command prints on failure, and its exit code — shared by the
 * CLI's error funnel (program.ts) and the MCP server (src/mcp/), so both report a failure the same way:
 * `{ ok: false, error: { code, message, hint?, try?, details? } }` with 1 (operation failed) or 2 (usage,
 * unreadable input); an error that is not an {@link AgentTeamError} is `internal_error`, exit 1. `try`
 * is set (equal to `hint`) only when the hint is one command line that runs as printed — the text
 * output's `try:` line; a hint in words has no `try` (see hint-label.ts).
 */
import { AgentTeamError, EXIT, type ErrorCode, type ExitCode } from '../errors.js';
import { hintLabel } from './hint-label.js';

/** A failure as printed: the exit code and the `--json` document. */
export interface ErrorDocument {
  exitCode: ExitCode;
  json: { ok: false; error: { code: ErrorCode; message: string; hint?: string; try?: string; details?: Record<string, unknown> } };
}

/** The exit code and JSON document of `err` (see module comment). */
export function errorDocument(err: unknown): ErrorDocument {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof AgentTeamError)) return { exitCode: EXIT.failed, json: { ok: false, error: { code: 'internal_error', message } } };
  return {
    exitCode: err.exitCode,
    json: {
      ok: false,
      error: { code: err.code, message, ...(err.hint ? { hint: err.hint } : {}), ...(err.hint && hintLabel(err.hint) === 'try:' ? { try: err.hint } : {}), ...(err.details ? { details: err.details } : {}) },
    },
  };
}

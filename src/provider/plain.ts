/**
 * A user provider from `.agents/config.yaml` without `like:`: a plain command agent-team knows nothing
 * about. No hooks, no session, no first task on the command line; ready as soon as its process runs; a typed
 * task cannot be confirmed (reported as unconfirmed). Every built-in adapter's dialog recognisers still
 * apply, so Enter never goes into a screen we know, and every built-in's prompt line bounds where they look.
 */
import type { DialogRecogniser, ProviderAdapter } from './types.js';
import { agy } from './agy.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';
import { opencode } from './opencode.js';

const BUILTINS = [claude, codex, gemini, opencode, agy];

/** Every built-in adapter's dialog recognisers. */
export const KNOWN_DIALOGS: readonly DialogRecogniser[] = BUILTINS.flatMap((a) => a.dialogs);

/** A line of any built-in's prompt area (a plain provider is often one of them under another name). */
const KNOWN_PROMPT_LINE = new RegExp(BUILTINS.map((a) => `(?:${a.promptLine.source})`).join('|'), 'i');

/** The adapter of a plain user provider `name` running `command`. */
export function plainAdapter(name: string, command: string): ProviderAdapter {
  return {
    name,
    launch: command,
    binary: command.trim().split(/\s+/)[0] ?? command,
    dialogs: KNOWN_DIALOGS,
    readyMarker: /^/,
    promptLine: KNOWN_PROMPT_LINE,
    submitDelayMs: 50,
    startBoundMs: 15_000,
    reportsStart: false,
    confirmsPrompt: false,
    taskOnCommandLine: false,
    chooseSessionId: false,
    buildLaunch(input) {
      return { command: input.base, files: [] };
    },
  };
}

/**
 * A user provider from `.agents/config.yaml` without `like:`: a plain command agent-team knows nothing
 * about. No hooks, no session, no first task on the command line; ready as soon as its process runs; a typed
 * task cannot be confirmed (reported as unconfirmed). Every built-in adapter's dialog recognisers still
 * apply, so Enter never goes into a screen we know.
 */
import type { DialogRecogniser, ProviderAdapter } from './types.js';
import { agy } from './agy.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';
import { opencode } from './opencode.js';

/** Every built-in adapter's dialog recognisers. */
export const KNOWN_DIALOGS: readonly DialogRecogniser[] = [claude, codex, gemini, opencode, agy].flatMap((a) => a.dialogs);

/** The adapter of a plain user provider `name` running `command`. */
export function plainAdapter(name: string, command: string): ProviderAdapter {
  return {
    name,
    launch: command,
    binary: command.trim().split(/\s+/)[0] ?? command,
    dialogs: KNOWN_DIALOGS,
    readyMarker: /^/,
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

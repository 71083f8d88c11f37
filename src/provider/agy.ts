/**
 * Antigravity CLI (`agy`), Gemini CLI's successor for individual accounts. Not on the npm registry and
 * not installed here, so nothing of it was run: what follows is from its published hook documentation
 * and from tools that integrate with agy 1.1–1.5, which agree on this much. agy reads a `hooks.json` in
 * each customization root — the workspace's `.agents/` (taking precedence) and the user's
 * `~/.gemini/config/` — whose top-level keys name hooks; each named hook maps events to handlers
 * (`PreInvocation`, `PostInvocation`, `Stop`, `SessionStart`: a flat list of `{type: "command",
 * command}`; `PreToolUse`/`PostToolUse`: matcher groups). A handler gets a camelCase JSON payload on
 * stdin (`conversationId`, `workspacePaths`, `transcriptPath`; `Stop` adds `terminationReason`).
 *
 * So each worker gets `.agents/hooks.json` in its own worktree (excluded for that worktree only, never
 * committed) holding one named hook, `agent-team`: SessionStart → session-start, PreInvocation (before
 * each model call: the agent took a prompt) → busy, Stop → turn-end. A `hooks.json` the worktree already
 * has that is not ours (the project's own) is left alone, with a warning; the worker then runs without
 * events. agy has no prompt-submit event, and whether these hooks fire could not be checked offline, so
 * a typed task is confirmed by a `busy` event or by the text leaving agy's input box, whichever comes
 * first; ready is its screen marker (a session-start event also counts). The first task is typed, not
 * put on the command line. Resume: `--conversation <id>`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderAdapter } from './types.js';
import { commandLine, hookCommand, shellWord, writeHookFile } from './shell.js';

/** The hooks file's path inside a worktree. */
export const AGY_HOOKS_FILE = '.agents/hooks.json';

/** The name of our hook in that file (its only top-level key). */
const HOOK_NAME = 'agent-team';

/** agy's hook events → our event names (see types.ts). */
export const AGY_HOOKS: Readonly<Record<string, string>> = {
  SessionStart: 'session-start',
  PreInvocation: 'busy',
  Stop: 'turn-end',
};

/** The `hooks.json` document: one named hook running the worker's hook script on each event of {@link AGY_HOOKS}. */
export function agyHooks(hook: string): Record<string, Record<string, Array<{ type: 'command'; command: string }>>> {
  const events: Record<string, Array<{ type: 'command'; command: string }>> = {};
  for (const [name, event] of Object.entries(AGY_HOOKS)) events[name] = [{ type: 'command', command: hookCommand(hook, event) }];
  return { [HOOK_NAME]: events };
}

/** Whether the file at `path` is missing or one we wrote (its only key is our hook's name). */
function oursOrMissing(path: string): boolean {
  if (!existsSync(path)) return true;
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return data !== null && typeof data === 'object' && !Array.isArray(data) && Object.keys(data).join(',') === HOOK_NAME;
  } catch {
    return false; // unreadable: somebody's file, not ours
  }
}

/** The agy adapter. */
export const agy: ProviderAdapter = {
  name: 'agy',
  launch: 'agy',
  binary: 'agy',
  dialogs: [
    { kind: 'trust', name: "agy's trust-this-folder dialog", pattern: /Do you trust the files in this folder|Trust folder/i },
    { kind: 'login', name: "agy's sign-in screen", pattern: /Sign in with Google|How would you like to authenticate/i },
  ],
  readyMarker: /Type your message|Ask anything/i,
  promptLine: /Type your message|Ask anything/i,
  submitDelayMs: 200,
  startBoundMs: 20_000,
  reportsStart: false,
  confirmsPrompt: false,
  taskOnCommandLine: false,
  chooseSessionId: false,
  buildLaunch(input) {
    const command = commandLine(input.base, input.resume && `--conversation ${shellWord(input.resume)}`);
    const path = join(input.worktree, AGY_HOOKS_FILE);
    if (!oursOrMissing(path)) {
      return { command, files: [], warnings: [`agy's hooks were not installed: ${path} is the project's (agent-team never changes it), so this worker reports no events; its activity comes from the screen`] };
    }
    return { command, files: [writeHookFile(path, `${JSON.stringify(agyHooks(input.hook), null, 2)}\n`)] };
  },
};

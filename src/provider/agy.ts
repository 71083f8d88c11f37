/**
 * Antigravity CLI (`agy`), Gemini CLI's successor for individual accounts. Not on the npm registry and
 * not installed here, so nothing of it is verified: its hooks live in a `hooks.json` whose per-worker
 * location is unknown, so this adapter installs none — activity comes from the screen (ready marker,
 * dialogs) and the process table, a typed task is confirmed by the text leaving the input box, and the
 * first task is typed (not put on the command line). Resume: `--conversation <id>`.
 */
import type { ProviderAdapter } from './types.js';
import { commandLine, shellWord } from './shell.js';

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
  submitDelayMs: 200,
  startBoundMs: 20_000,
  reportsStart: false,
  confirmsPrompt: false,
  taskOnCommandLine: false,
  chooseSessionId: false,
  buildLaunch(input) {
    return { command: commandLine(input.base, input.resume && `--conversation ${shellWord(input.resume)}`), files: [] };
  },
};

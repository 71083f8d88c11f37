/**
 * opencode (`opencode-ai` 1.18.33). No dialogs; "Ask anything…" once ready (≈ 4 s, 8 s on a first start
 * while it installs `@opencode-ai/plugin`), or in a resumed session its prompt footer "ctrl+p commands";
 * text typed before that is lost. Events through a plugin file
 * the worker's worktree carries, `.opencode/plugin/agent-team.js` (excluded for that worktree only):
 * `session.status` busy → busy, `session.idle` → turn-end, `session.error` → turn-failed,
 * `permission.asked` → needs-input. First task: `--prompt <task>`; resume: `-s <id>` (the id comes
 * with the events).
 */
import { join } from 'node:path';
import type { ProviderAdapter } from './types.js';
import { commandLine, shellWord, writeHookFile } from './shell.js';

/** The plugin's path inside a worktree. */
export const OPENCODE_PLUGIN = '.opencode/plugin/agent-team.js';

/** The plugin's source: runs the hook script on the events named in the module comment. */
export function opencodePlugin(hookPath: string): string {
  return `// agent-team (generated for this worker; not part of the project): reports opencode events.
import { spawn } from 'node:child_process';
const HOOK = ${JSON.stringify(hookPath)};
function send(event, payload) {
  try {
    const child = spawn(HOOK, [event], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {});
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(payload));
  } catch {}
}
export const AgentTeam = async () => ({
  event: async ({ event }) => {
    const p = event.properties ?? {};
    const session_id = p.sessionID ?? p.info?.sessionID ?? p.info?.id;
    if (event.type === 'session.status') {
      const type = p.status?.type;
      if (type === 'busy') send('busy', { session_id });
      else if (type === 'retry') send('turn-failed', { session_id, error: 'retry', message: p.status?.message, next: p.status?.next });
    } else if (event.type === 'session.idle') send('turn-end', { session_id });
    else if (event.type === 'session.error') send('turn-failed', { session_id, error: p.error?.name, message: p.error?.data?.message });
    else if (event.type === 'permission.asked' || event.type === 'permission.updated') send('needs-input', { session_id, notification_type: 'permission_prompt' });
  },
});
`;
}

/** The opencode adapter. */
export const opencode: ProviderAdapter = {
  name: 'opencode',
  launch: 'opencode',
  binary: 'opencode',
  npmPackage: 'opencode-ai@1.18.33',
  dialogs: [],
  // "Ask anything…" is the placeholder of a session's first prompt only; a resumed one (`-s`) shows the
  // prompt's footer, "ctrl+p commands", under its input box (seen with 1.18.33 in npm run test:providers)
  readyMarker: /Ask anything|ctrl\+p commands/i,
  promptLine: /Ask anything|ctrl\+p commands/i,
  submitDelayMs: 100,
  startBoundMs: 60_000,
  reportsStart: false,
  confirmsPrompt: true,
  taskOnCommandLine: true,
  chooseSessionId: false,
  buildLaunch(input) {
    const plugin = writeHookFile(join(input.worktree, OPENCODE_PLUGIN), opencodePlugin(input.hookPath));
    const session = input.resume ? `-s ${shellWord(input.resume)}` : undefined;
    return { command: commandLine(input.base, session, input.task && `--prompt ${input.task}`), files: [plugin] };
  },
};

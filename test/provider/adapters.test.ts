/** Provider adapters and activity: launch commands, hook files, dialog recognisers (screens from the real CLIs), activity rules. */
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADAPTERS, BUILTIN_NAMES, resolveProvider } from '../../src/provider/index.js';
import { plainAdapter } from '../../src/provider/plain.js';
import { decideActivity, recogniseDialog } from '../../src/worker/activity.js';
import { eventRecord, type WorkerEventRecord } from '../../src/worker/events.js';
import { tempDir } from '../helpers/repo.js';

let dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});
function folder(): string {
  const d = tempDir('agent-team-provider-');
  dirs.push(d);
  return realpathSync(d.dir);
}
const input = (dir: string, extra: Record<string, string | undefined> = {}) => ({
  base: ADAPTERS.claude.launch,
  hook: `'${dir}/state/hook'`,
  hookPath: `${dir}/state/hook`,
  home: join(dir, 'home'),
  stateDir: join(dir, 'state'),
  worktree: join(dir, 'wt'),
  ...extra,
});

describe('launch commands', () => {
  it('claude: --settings with a hook per event, --session-id up front, --resume when recorded, the task last', () => {
    const dir = folder();
    const plan = ADAPTERS.claude.buildLaunch(input(dir, { newSessionId: '11111111-2222-3333-4444-555555555555', task: `"$(cat /t/task.txt)"` }));
    expect(plan.command).toBe(`claude --dangerously-skip-permissions --settings ${dir}/state/claude-settings.json --session-id 11111111-2222-3333-4444-555555555555 "$(cat /t/task.txt)"`);
    const settings = JSON.parse(readFileSync(join(dir, 'state/claude-settings.json'), 'utf8'));
    expect(Object.keys(settings.hooks)).toEqual(['SessionStart', 'UserPromptSubmit', 'Stop', 'StopFailure', 'Notification', 'SessionEnd']);
    expect(settings.hooks.UserPromptSubmit[0].hooks[0]).toEqual({ type: 'command', command: `'${dir}/state/hook' prompt-submit` });
    expect(ADAPTERS.claude.buildLaunch(input(dir, { resume: 'abc' })).command).toMatch(/ --resume abc$/);
  });

  it('codex: no daemon, hook trust bypassed, hooks as -c TOML, resume as a subcommand', () => {
    const dir = folder();
    const plan = ADAPTERS.codex.buildLaunch(input(dir, { base: ADAPTERS.codex.launch, resume: '0199-thread' }));
    expect(plan.command.startsWith('codex resume 0199-thread --dangerously-bypass-approvals-and-sandbox --no-daemon --dangerously-bypass-hook-trust -c ')).toBe(true);
    expect(plan.command).toContain(`-c 'hooks.UserPromptSubmit=[{hooks=[{type="command",command="'\\''${dir}/state/hook'\\'' prompt-submit"}]}]'`);
    expect(plan.files).toEqual([]);
  });

  it('gemini: a per-worker GEMINI_CLI_HOME with the user settings plus hooks, the rest of ~/.gemini linked; --skip-trust, or gemini runs no hook', () => {
    const dir = folder();
    mkdirSync(join(dir, 'home/.gemini'), { recursive: true });
    writeFileSync(join(dir, 'home/.gemini/settings.json'), JSON.stringify({ theme: 'dark', hooks: { SessionStart: [{ hooks: [{ type: 'command', command: 'mine' }] }] } }));
    writeFileSync(join(dir, 'home/.gemini/oauth_creds.json'), '{}');
    const plan = ADAPTERS.gemini.buildLaunch(input(dir, { base: ADAPTERS.gemini.launch, task: '"$(cat t)"' }));
    // gemini 0.61 registers no hook at all, not even the user's, in a folder it does not trust
    // (HookRegistry.processHooksFromConfig): without --skip-trust no event ever came (npm run test:providers)
    expect(plan.command).toBe(`GEMINI_CLI_HOME=${dir}/state/gemini-home gemini --approval-mode yolo --skip-trust -i "$(cat t)"`);
    expect(ADAPTERS.gemini.buildLaunch(input(dir, { base: `${ADAPTERS.gemini.launch} --skip-trust`, resume: 'abc' })).command).toBe(`GEMINI_CLI_HOME=${dir}/state/gemini-home gemini --approval-mode yolo --skip-trust --resume abc`);
    const settings = JSON.parse(readFileSync(join(dir, 'state/gemini-home/.gemini/settings.json'), 'utf8'));
    expect(settings.theme).toBe('dark');
    expect(settings.hooks.SessionStart.map((h: { hooks: Array<{ command: string }> }) => h.hooks[0]?.command)).toEqual(['mine', `'${dir}/state/hook' session-start`]);
    expect(settings.hooks.BeforeAgent[0].hooks[0].command).toBe(`'${dir}/state/hook' prompt-submit`);
    expect(lstatSync(join(dir, 'state/gemini-home/.gemini/oauth_creds.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'state/gemini-home/.gemini/oauth_creds.json'))).toBe(join(dir, 'home/.gemini/oauth_creds.json'));
    // the user's own settings file is never written
    expect(JSON.parse(readFileSync(join(dir, 'home/.gemini/settings.json'), 'utf8')).hooks.SessionStart).toHaveLength(1);
  });

  it('opencode: a plugin file in the worktree that runs the hook script; --prompt and -s', () => {
    const dir = folder();
    const plan = ADAPTERS.opencode.buildLaunch(input(dir, { base: 'opencode', task: '"$(cat t)"', resume: 'ses_1' }));
    expect(plan.command).toBe('opencode -s ses_1 --prompt "$(cat t)"');
    expect(plan.files).toEqual([join(dir, 'wt/.opencode/plugin/agent-team.js')]);
    const plugin = readFileSync(plan.files[0] as string, 'utf8');
    expect(plugin).toContain(`const HOOK = ${JSON.stringify(`${dir}/state/hook`)};`);
    expect(plugin).toMatch(/session\.idle'\) send\('turn-end'/);
  });

  it('agy: hooks in .agents/hooks.json of the worktree (a named hook of ours), --conversation; a hooks.json of the project is left alone', () => {
    const dir = folder();
    const plan = ADAPTERS.agy.buildLaunch(input(dir, { base: 'agy', resume: 'c-1' }));
    expect(plan.command).toBe('agy --conversation c-1');
    expect(plan.files).toEqual([join(dir, 'wt/.agents/hooks.json')]);
    const hooks = JSON.parse(readFileSync(plan.files[0] as string, 'utf8'));
    expect(Object.keys(hooks)).toEqual(['agent-team']);
    expect(hooks['agent-team']).toEqual({
      SessionStart: [{ type: 'command', command: `'${dir}/state/hook' session-start` }],
      PreInvocation: [{ type: 'command', command: `'${dir}/state/hook' busy` }],
      Stop: [{ type: 'command', command: `'${dir}/state/hook' turn-end` }],
    });
    // regenerated on the next launch (ours), but a project's own file is never touched
    expect(ADAPTERS.agy.buildLaunch(input(dir, { base: 'agy' })).files).toEqual([join(dir, 'wt/.agents/hooks.json')]);
    const own = '{ "lint": { "Stop": [{ "command": "make lint" }] } }\n';
    writeFileSync(join(dir, 'wt/.agents/hooks.json'), own);
    const kept = ADAPTERS.agy.buildLaunch(input(dir, { base: 'agy' }));
    expect(kept.files).toEqual([]);
    expect(kept.warnings?.[0]).toMatch(/agy's hooks were not installed: .*\.agents\/hooks\.json is the project's/);
    expect(readFileSync(join(dir, 'wt/.agents/hooks.json'), 'utf8')).toBe(own);
    // the conversation id comes with agy's camelCase payload
    expect(eventRecord('busy', { conversationId: 'c-2', workspacePaths: ['/w'] }).session_id).toBe('c-2');
  });

  it('user providers: plain commands stay plain, like: borrows the adapter, a built-in name keeps its adapter', () => {
    const project = { aider: { command: 'aider --yes' }, mine: { command: 'npx claude', like: 'claude' as const }, codex: { command: 'codex --full-auto' } };
    expect(resolveProvider('aider', project)).toMatchObject({ source: 'project', command: 'aider --yes', like: undefined });
    expect(resolveProvider('aider', project)?.adapter.confirmsPrompt).toBe(false);
    expect(resolveProvider('mine', project)?.adapter).toBe(ADAPTERS.claude);
    expect(resolveProvider('codex', project)).toMatchObject({ command: 'codex --full-auto', like: 'codex', adapter: ADAPTERS.codex });
    expect(resolveProvider('agy', {})).toMatchObject({ source: 'builtin', command: 'agy' });
    expect(resolveProvider('nope', project)).toBeUndefined();
    expect(BUILTIN_NAMES).toEqual(['claude', 'codex', 'gemini', 'opencode', 'agy']);
  });
});

describe('dialog recognisers (screens as the real CLIs drew them, provider-notes.md)', () => {
  const cases: Array<[string, string, string]> = [
    ['claude', 'Accessing workspace:\n\n /tmp/x\n\n ❯ 1. Yes, I trust this folder\n   2. No, exit', 'trust'],
    ['claude', 'WARNING: Claude Code running in Bypass Permissions mode\n ❯ 1. No, exit\n   2. Yes, I accept', 'consent'],
    ['codex', '  Welcome to Codex\n> 1. Sign in with ChatGPT\n  2. Provide your own API key', 'login'],
    ['codex', 'Trust this folder?\n› 1. Trust and continue\n  2. Back', 'trust'],
    ['gemini', 'Do you trust the files in this folder?\n● 1. Trust folder (dev-001)\n  2. Trust parent folder (.worktrees)\n  3. Don\'t trust', 'trust'],
    ['gemini', 'How would you like to authenticate for this project?\n● 1. Sign in with Google', 'login'],
  ];
  it.each(cases)('%s: %j is %s', (name, screen, kind) => {
    expect(recogniseDialog(ADAPTERS[name as 'claude'], screen.split('\n'))?.kind).toBe(kind);
  });
  it('a ready prompt is no dialog', () => {
    for (const name of BUILTIN_NAMES) expect(recogniseDialog(ADAPTERS[name], ['> ', '? for shortcuts', 'Ask anything...'])).toBeUndefined();
  });
});

describe('dialogs only at the live bottom of the screen, never in the conversation above the prompt', () => {
  // claude 2.1.197 as drawn in tmux (npm run test:providers, offline): a rule above each dialog, the input
  // line "❯\u00a0" between two rules, the footer below them
  const rule = '─'.repeat(80);
  const command = ['root@vm:/tmp/x/.worktrees/dev-001# claude --dangerously-skip-permissions --settings /tmp/x/.agents/workers/dev-001/claude-settings.json'];
  const trust = [...command, rule, ' Accessing workspace:', ' /tmp/x/.worktrees/dev-001', ' Quick safety check: Is this a project you created or one you trust?', ' ❯ 1. Yes, I trust this folder', '   2. No, exit', ' Enter to confirm · Esc to cancel'];
  const consent = [...command, rule, '  WARNING: Claude Code running in Bypass Permissions mode', '  In Bypass Permissions mode, Claude Code will not ask for your approval', '  ❯ 1. No, exit', '    2. Yes, I accept', '  Enter to confirm · Esc to cancel'];
  const resumed = [
    ...command,
    ' ▐▛███▜▌   Claude Code v2.1.197',
    '❯ [New Change Assigned] Add a line to README.md saying hello',
    '  ⎿  Not logged in · Please run /login',
    '✻ Brewed for 0s',
    rule,
    '❯\u00a0',
    rule,
    '  ⏵⏵ bypass permissions on (shift+tab to cycle) · ← for agents',
    '                                                    Not logged in · Run /login',
    '                                                              ● high · /effort',
  ];
  const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 6, 0, s));
  const started = [eventRecord('launch', undefined, at(0)), eventRecord('session-start', { session_id: 's' }, at(1))];

  it('claude: a resumed conversation whose history says "Please run /login" is ready, not attention', () => {
    expect(decideActivity({ events: started, alive: true, adapter: ADAPTERS.claude, screen: resumed })).toMatchObject({ activity: 'ready' });
    expect(recogniseDialog(ADAPTERS.claude, resumed)).toBeUndefined();
  });

  it('claude: its trust and bypass-permissions screens are still recognised, also below an earlier session in the same pane', () => {
    expect(recogniseDialog(ADAPTERS.claude, trust)?.kind).toBe('trust');
    expect(recogniseDialog(ADAPTERS.claude, consent)?.kind).toBe('consent');
    expect(recogniseDialog(ADAPTERS.claude, [...resumed, ...trust])?.kind).toBe('trust');
    expect(decideActivity({ events: started, alive: true, adapter: ADAPTERS.claude, screen: consent })).toMatchObject({ activity: 'attention', dialog: { kind: 'consent' } });
  });

  it('a line-based agent (the stand-in): history above its prompt is no dialog, a dialog printed below it is', () => {
    const history = ['> Add a line', '  Not logged in · Please run /login', '  Do you trust the files in this folder? ❯ 1. Yes, I trust this folder'];
    expect(recogniseDialog(ADAPTERS.claude, [...history, '? for shortcuts', '> '])).toBeUndefined();
    expect(recogniseDialog(ADAPTERS.claude, ['? for shortcuts', '> ', 'Accessing workspace:', ' Do you trust the files in this folder?', ' ❯ 1. Yes, I trust this folder'])?.kind).toBe('trust');
    // a plain provider knows every built-in's dialogs and every built-in's prompt
    const plain = plainAdapter('aider', 'aider');
    expect(recogniseDialog(plain, [...history, 'Sign in with ChatGPT', '? for shortcuts', '> '])).toBeUndefined();
    expect(recogniseDialog(plain, ['> ', 'How would you like to authenticate for this project?', '● 1. Sign in with Google'])?.kind).toBe('login');
  });

  it('text still in the input box (a task that quotes a dialog) is no dialog', () => {
    const typed = 'Explain why it says "Please run /login" and fix it';
    expect(recogniseDialog(ADAPTERS.claude, ['? for shortcuts', `> ${typed}`], typed)).toBeUndefined();
    expect(recogniseDialog(ADAPTERS.claude, ['? for shortcuts', `> ${typed}`])?.kind).toBe('login');
  });
});

describe('activity', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 6, 0, s));
  const ev = (event: WorkerEventRecord['event'], s: number, payload?: unknown) => eventRecord(event, payload, at(s));
  const decide = (events: WorkerEventRecord[], extra: { alive?: boolean; screen?: string[] } = {}) =>
    decideActivity({ events, alive: extra.alive ?? true, adapter: ADAPTERS.claude, screen: extra.screen });

  it('follows the hooks: starting, ready, working, idle, needs-input, rate-limited, exited', () => {
    const launch = ev('launch', 0, { session_id: 's1' });
    expect(decide([launch])).toMatchObject({ activity: 'starting', sessionId: 's1', since: at(0).toISOString() });
    expect(decide([launch, ev('session-start', 1)]).activity).toBe('ready');
    expect(decide([launch, ev('session-start', 1), ev('prompt-submit', 2)]).activity).toBe('working');
    expect(decide([launch, ev('prompt-submit', 2), ev('turn-end', 3)])).toMatchObject({ activity: 'idle', since: at(3).toISOString() });
    expect(decide([launch, ev('notification', 4, { notification_type: 'permission_prompt' })]).activity).toBe('needs-input');
    expect(decide([launch, ev('notification', 4, { notification_type: 'idle_prompt' })]).activity).toBe('idle');
    expect(decide([launch, ev('turn-failed', 5, { error: 'rate_limit', resets_at: '2026-11-30T07:00:00Z' })])).toMatchObject({ activity: 'rate-limited', resetsAt: '2026-11-30T07:00:00Z' });
    expect(decide([launch, ev('turn-failed', 5, { error: 'authentication_failed', message: 'Not logged in' })]).activity).toBe('attention');
    expect(decide([launch, ev('session-end', 6)]).activity).toBe('exited');
    expect(decide([launch, ev('session-start', 1)], { alive: false }).activity).toBe('exited');
  });

  it('opencode is ready at its first prompt ("Ask anything") and in a resumed session (no placeholder, its prompt footer)', () => {
    const opencode = (screen: string[]) => decideActivity({ events: [ev('launch', 0)], alive: true, adapter: ADAPTERS.opencode, screen }).activity;
    expect(opencode(['┃  Ask anything... "Fix a TODO in the codebase"', '┃  Build · Big Pickle OpenCode Zen'])).toBe('ready');
    // as `opencode -s <id>` drew it (npm run test:providers, opencode-ai 1.18.33)
    const resumed = ['▣  Build · Big Pickle · interrupted', '┃', '┃  Build · Big Pickle OpenCode Zen', '╹▀▀▀▀▀▀▀▀', '/tmp/x/.worktrees/dev-001  tab agents  ctrl+p commands'];
    expect(opencode(resumed)).toBe('ready');
    expect(opencode(['Installing @opencode-ai/plugin...'])).toBe('starting');
  });

  it('events of an earlier launch do not count; the session id survives', () => {
    const events = [ev('launch', 0, { session_id: 's1' }), ev('session-start', 1, { session_id: 's1' }), ev('turn-end', 2), ev('launch', 10, { session_id: 's1' })];
    expect(decide(events)).toMatchObject({ activity: 'starting', sessionId: 's1' });
  });

  it("a hook of the previous agent that lands after the new launch (gemini's late SessionEnd) is not the new agent's exit", () => {
    // as npm run test:providers recorded it (gemini 0.61): killed at ~1 s, three SessionEnd hooks; the third
    // was appended after `worker open` had launched the resumed gemini, which was still starting
    const events = [ev('launch', 0), ev('session-start', 4, { session_id: 's1' }), ev('session-end', 5, { session_id: 's1' }), ev('session-end', 5, { session_id: 's1' }), ev('launch', 7, { session_id: 's1' }), ev('session-end', 6, { session_id: 's1' })];
    expect(decide(events)).toMatchObject({ activity: 'starting', sessionId: 's1', since: at(7).toISOString() });
    // the new agent's own events still count, in the order they came
    expect(decide([...events, ev('session-start', 9, { session_id: 's1' })]).activity).toBe('ready');
    expect(decide([...events, ev('session-start', 9, { session_id: 's1' }), ev('session-end', 12, { session_id: 's1' })]).activity).toBe('exited');
    expect(decide(events, { alive: false })).toMatchObject({ activity: 'exited', since: undefined });
  });

  it('a dialog on screen is attention with the lines; the ready marker ends starting only without a session-start hook', () => {
    const screen = ['Do you trust the files in this folder?', '❯ 1. Yes, I trust this folder'];
    expect(decide([ev('launch', 0), ev('session-start', 1)], { screen })).toMatchObject({ activity: 'attention', dialog: { kind: 'trust' }, screen });
    // codex 0.171 draws "› Ask Codex to do anything / ? for shortcuts" for a moment, then its sign-in chooser
    expect(decideActivity({ events: [ev('launch', 0)], alive: true, adapter: ADAPTERS.codex, screen: ['› Ask Codex to do anything', '  ? for shortcuts'] }).activity).toBe('starting');
    expect(decideActivity({ events: [ev('launch', 0)], alive: true, adapter: ADAPTERS.opencode, screen: ['  Ask anything... "Fix a TODO"'] }).activity).toBe('ready');
    expect(decideActivity({ events: [ev('launch', 0)], alive: true, adapter: plainAdapter('aider', 'aider'), screen: [] }).activity).toBe('ready');
  });

  it('keeps only a few payload fields: never the prompt text or the transcript', () => {
    const r = eventRecord('prompt-submit', { session_id: 's', prompt: 'secret plan', transcript_path: '/x', hook_event_name: 'UserPromptSubmit' });
    expect(r).toMatchObject({ event: 'prompt-submit', session_id: 's', data: { hook_event_name: 'UserPromptSubmit', prompt_chars: 11 } });
    expect(JSON.stringify(r)).not.toContain('secret');
    expect(JSON.stringify(r)).not.toContain('transcript');
  });
});

#!/usr/bin/env node
// Scripted stand-in for an AI coding agent (Claude Code, Codex, Gemini…), used as a provider by
// agent-team's end-to-end tests. It does what the real agent is asked to do, deterministically:
// it reads the lines typed into its pane (stdin); on "[New Change Assigned] <description>" followed by
// "Change: <folder>" it reads <folder>/change.yaml, writes work/<change-name>.txt, commits with
// `git add -A` (as a careless agent would: agent-team's excludes must keep role prompts out), and runs
// `agent-team reply-main "Task completed: …"` through the built CLI. Every event is also appended to the
// file given with `--log <file>` so tests can wait on it.
// It also speaks like Claude Code, so the claude adapter (`like: claude`) is tested end to end without
// the real CLI: `--settings <file>` hooks (SessionStart, UserPromptSubmit, Stop, Notification,
// SessionEnd; JSON payload with session_id on stdin), `--session-id <id>` / `--resume <id>`, a
// positional first task, and the "? for shortcuts" ready marker. Test switches: `--trust-dialog`
// (shows claude's trust screen until someone answers it; an answer is logged as "dialog answered"),
// `--start-delay <ms>` (input typed before ready is lost, as in gemini/opencode), `--early-enter-ms <ms>`
// (an Enter within that time after text stays unsent, as gemini does), `--fail-resume` (a resume
// exits 42 as gemini does without a saved session), `--ignore-enter` (every Enter is
// ignored: typed text stays in the input line; Ctrl-U clears the input line, on screen too), `--exit-at-start` (exits at once), `--history <file>`
// (prints the file as the conversation so far above its ready prompt, as a resumed claude does),
// `--late-session-end <go-file>` (when killed, one more SessionEnd hook that appends only once <go-file>
// exists, as gemini's late SessionEnd hooks do). Without `--settings` it
// runs no hooks: a plain provider, whose typed task is confirmed only by the text leaving its input line.
// On a terminal it reads keys in raw mode (Enter = CR submits, LF is a newline in the input); on a pipe
// (the process backend) it reads lines.
// With `--playbook <file.json>` ({ steps: [{ match, files: {path: text}, commit, reply, outcome?, status?, delay_ms? }] })
// the first step whose `match` occurs in the description says which files to write, the commit message
// and the reply (used by `npm run demo`); descriptions no step matches get the default behaviour. A step
// with `once: true` is used only for the first description it matches (e.g. a check that fails once); a
// step with `skip_if: <text>` is passed over when the prompt or the change's change.yaml holds that text
// (an agent that was given the answer to its question with the task does not ask it again).
import { execFileSync, execSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/agent-team.js', import.meta.url));
// Like claude 2.1: `--dangerously-skip-permissions` is refused as root unless IS_SANDBOX=1, after start-up
// (AGENT_TEAM_STANDIN_ROOT=1 makes a normal user count as root, so the path is tested everywhere).
// Like the real one (2.1.197, checked with --settings hooks as root), it runs no hook before it quits.
const refusedAsRoot = process.argv.includes('--dangerously-skip-permissions') && (process.getuid?.() === 0 || process.env.AGENT_TEAM_STANDIN_ROOT === '1') && process.env.IS_SANDBOX !== '1';
if (refusedAsRoot) {
  process.stderr.write('--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n');
  setTimeout(() => process.exit(1), 300);
}
const logIndex = process.argv.indexOf('--log');
const logFile = logIndex > 0 ? process.argv[logIndex + 1] : undefined;
const playbookIndex = process.argv.indexOf('--playbook');
const opt = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const flag = (name) => process.argv.includes(name);
const settingsFile = opt('--settings');
const hooks = settingsFile ? (JSON.parse(readFileSync(settingsFile, 'utf8')).hooks ?? {}) : {};
// `--agy`: speaks like the Antigravity CLI instead: hooks from the workspace's .agents/hooks.json (named
// hooks, each mapping SessionStart/PreInvocation/Stop to command handlers, camelCase payload with
// conversationId), `--conversation <id>` resumes, "Type your message" is its ready line.
const agyMode = flag('--agy');
const agyHooksFile = join(process.cwd(), '.agents/hooks.json');
const agyHooks = agyMode && existsSync(agyHooksFile) ? Object.values(JSON.parse(readFileSync(agyHooksFile, 'utf8'))).filter((h) => h && h.enabled !== false) : [];
const AGY_EVENT = { SessionStart: 'SessionStart', UserPromptSubmit: 'PreInvocation', Stop: 'Stop' };
const resumed = opt('--resume') ?? opt('--conversation');
const sessionId = resumed ?? opt('--session-id') ?? randomUUID();
const startDelay = Number(opt('--start-delay') ?? 0);
const earlyEnterMs = Number(opt('--early-enter-ms') ?? 0);
const ignoreEnter = flag('--ignore-enter');
const history = opt('--history');
const VALUED = new Set(['--log', '--playbook', '--settings', '--session-id', '--resume', '--conversation', '--start-delay', '--early-enter-ms', '--model', '--history', '--late-session-end']);
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !VALUED.has(all[i - 1]));
const firstTask = positional[0];
// an empty playbook file (e.g. --playbook /dev/null) means no steps
const playbookText = playbookIndex > 0 ? readFileSync(process.argv[playbookIndex + 1], 'utf8') : '';
const playbook = playbookText.trim() ? JSON.parse(playbookText) : { steps: [] };

/** Logs `event` to the --log file and, unless `screen` is false, to the pane (what a real agent would not print stays off it). */
function log(event, screen = true) {
  const line = `${new Date().toISOString()} ${event}`;
  if (screen) process.stdout.write(`[scripted-agent] ${event}\n`);
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    appendFileSync(logFile, `${line}\n`);
  }
}

const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function rolePromptSeen() {
  return ['CLAUDE.md', 'AGENTS.md', 'CLAUDE.local.md', 'AGENTS.override.md'].some(
    (f) => existsSync(f) && readFileSync(f, 'utf8').includes('<!-- AGENT_TEAM:START -->'),
  );
}

function doPlaybookStep(step, description) {
  const files = Object.keys(step.files ?? {});
  for (const [file, text] of Object.entries(step.files ?? {})) {
    mkdirSync(dirname(file) || '.', { recursive: true });
    writeFileSync(file, text);
  }
  if (files.length) {
    git('add', '--', ...files);
    git('commit', '-q', '-m', step.commit ?? `Work on: ${description}`);
    log(`committed ${files.join(', ')} as ${git('rev-parse', '--short', 'HEAD')}`);
  }
  // `run`: a verification command (e.g. `node --test`) run in the worktree; its exit code gives the
  // outcome (passed/failed) and the end of its output goes into the reply, as a QA agent would report.
  let reply = step.reply ?? 'Task completed';
  let outcome = step.outcome;
  if (step.run) {
    const r = spawnSync('/bin/sh', ['-c', step.run], { encoding: 'utf8' });
    const passed = r.status === 0;
    outcome ??= passed ? 'passed' : 'failed';
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => /fail|pass|expected|actual|not ok|Error/i.test(l)).slice(0, 6).join(' | ');
    reply = `${reply}: \`${step.run}\` ${passed ? 'passed' : 'failed'}${tail ? `: ${tail}` : ''}`.replace(/[\x00-\x1f\x7f]/g, ' ');
    log(`ran ${step.run}: exit ${r.status}`);
  }
  const args = [BIN, 'reply-main', reply, '--status', step.status ?? 'done'];
  if (outcome) args.push('--outcome', outcome);
  execFileSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  log(`replied: ${reply}`);
}

const used = new Set();

function doChange(description, folder) {
  // what the agent was told: the prompt, and the change.yaml it is asked to read
  const changeFile = join(folder, 'change.yaml');
  const told = `${prompt}\n${existsSync(changeFile) ? readFileSync(changeFile, 'utf8') : ''}`;
  const step = playbook.steps.find((s, i) => description.includes(s.match) && !(s.once && used.has(i)) && !(s.skip_if && told.includes(s.skip_if)));
  if (step?.once) used.add(playbook.steps.indexOf(step));
  if (step?.delay_ms) {
    // a step that takes time (the bench's "agent taking T seconds"): work later, keep reading the pane
    log(`working on: ${description} (${step.delay_ms} ms)`);
    setTimeout(() => {
      try {
        doPlaybookStep(step, description);
      } catch (err) {
        log(`failed: ${err.message.split('\n')[0]}`);
      }
    }, step.delay_ms);
    return;
  }
  if (step) return doPlaybookStep(step, description);
  const changeYaml = readFileSync(join(folder, 'change.yaml'), 'utf8');
  const name = /^name:\s*(.+)$/m.exec(changeYaml)?.[1]?.trim() ?? 'change';
  log(`change ${name} read: ${changeYaml.includes('status: assigned') ? 'status assigned' : 'no status'}`);
  mkdirSync('work', { recursive: true });
  const file = `work/${name}.txt`;
  writeFileSync(file, `${description}\n`);
  git('add', '-A');
  git('commit', '-q', '-m', `Implement: ${description}`);
  log(`committed ${file} as ${git('rev-parse', '--short', 'HEAD')}`);
  const summary = `Task completed: wrote ${file}${rolePromptSeen() ? ' (role prompt seen)' : ''}`;
  execFileSync(process.execPath, [BIN, 'reply-main', summary], { stdio: ['ignore', 'pipe', 'pipe'] });
  log(`replied: ${summary}`);
}


/** Runs one hook command through sh with `payload` as JSON on stdin. */
function runHook(name, command, payload) {
  try {
    execSync(command, { input: JSON.stringify(payload), stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (err) {
    log(`hook ${name} failed: ${err.message.split('\n')[0]}`);
  }
}

/** Runs the hooks of claude event `name` as Claude Code does (`--settings`), or agy's counterpart (`--agy`). */
function hook(name, extra = {}) {
  if (agyMode) {
    const event = AGY_EVENT[name];
    const payload = { conversationId: sessionId, workspacePaths: [process.cwd()], ...(event === 'Stop' ? { terminationReason: 'NO_TOOL_CALL', fullyIdle: true } : {}) };
    for (const named of agyHooks) for (const h of (event && named[event]) || []) if ((h.type ?? 'command') === 'command' && h.command) runHook(event, h.command, payload);
    return;
  }
  for (const group of hooks[name] ?? []) {
    for (const h of group.hooks ?? []) {
      if (h.type !== 'command') continue;
      runHook(name, h.command, { session_id: sessionId, hook_event_name: name, cwd: process.cwd(), ...extra });
    }
  }
}

let pending;
/** The prompt being handled (all its lines): a step's `skip_if` looks in it. */
let prompt = '';
function handleLine(raw) {
  const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z~]/g, '').replace(/\r$/, '');
  if (line.startsWith('[New Change Assigned] ')) {
    pending = line.slice('[New Change Assigned] '.length);
    log(`assigned: ${pending}`);
  } else if (line.startsWith('Change: ') && pending !== undefined) {
    const description = pending;
    pending = undefined;
    try {
      doChange(description, line.slice('Change: '.length).trim());
    } catch (err) {
      log(`failed: ${err.message.split('\n')[0]}${err.stderr ? ` — ${String(err.stderr).trim()}` : ''}`);
    }
  } else if (line.startsWith('[Main Controller Reply] ')) {
    log(`controller said: ${line.slice('[Main Controller Reply] '.length)}`);
  }
}

/** One submitted prompt: the hook, the work, the end of the turn. */
function submit(text) {
  if (text.trim() === '') return;
  log(`prompt received (${text.length} chars)`);
  hook('UserPromptSubmit', { prompt: text });
  prompt = text;
  for (const line of text.split('\n')) handleLine(line);
  hook('Stop');
  process.stdout.write('\n> ');
}

let ready = false;
function becomeReady() {
  ready = true;
  hook('SessionStart', { source: resumed ? 'resume' : 'startup' });
  log(resumed ? `resumed session ${sessionId}` : `session ${sessionId}`);
  if (history) process.stdout.write(`${readFileSync(history, 'utf8').replace(/\n?$/, '\n')}`);
  process.stdout.write(agyMode ? '\nType your message or @path/to/file\n> ' : '\n? for shortcuts\n> ');
  if (firstTask !== undefined) submit(firstTask);
}

/**
 * `--late-session-end <go-file>`: as gemini 0.61 does when killed, one more SessionEnd hook that outlives
 * the agent: its hook program starts now but appends only once <go-file> exists (a preload waits for it).
 */
function lateSessionEnd(go) {
  const waiter = join(dirname(go), 'late-hook-waiter.cjs');
  writeFileSync(waiter, `const fs = require('node:fs'); while (!fs.existsSync(${JSON.stringify(go)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);\n`);
  const payload = JSON.stringify({ session_id: sessionId, hook_event_name: 'SessionEnd', cwd: process.cwd(), reason: 'exit' });
  for (const group of hooks.SessionEnd ?? []) {
    for (const h of group.hooks ?? []) {
      if (h.type !== 'command') continue;
      const child = spawn('sh', ['-c', h.command], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, NODE_OPTIONS: `--require ${waiter}` } });
      child.stdin.end(payload);
      child.unref();
    }
  }
  log('late session-end hook started');
}

function exit(code) {
  if (opt('--late-session-end')) lateSessionEnd(opt('--late-session-end'));
  hook('SessionEnd', { reason: 'exit' });
  log('exiting');
  process.exit(code);
}

log(`started in ${process.cwd()} as ${process.env.AGENT_TEAM_WORKER_ID ?? '(no worker id)'}`);
// `--fail-resume`: a conversation that was never saved cannot be resumed, as gemini 0.61 answers
// `--resume <id>` when it has no session for the project (exit 42)
if (resumed && flag('--fail-resume')) {
  process.stderr.write('Error resuming session: No previous sessions found for this project.\n');
  log('resume failed', false);
  process.exit(42);
}
if (flag('--exit-at-start')) {
  log('exit at start');
  process.exit(1);
}
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => exit(0));

let dialog = false;
const tty = process.stdin.isTTY === true;
let input = '';
let lastChunkAt = 0;
if (tty) {
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    if (dialog) {
      dialog = false;
      log(`dialog answered: ${JSON.stringify(chunk)}`);
      if (chunk.startsWith('2')) exit(1);
      setTimeout(becomeReady, startDelay);
      return;
    }
    if (!ready) {
      log(`lost early input: ${JSON.stringify(chunk.slice(0, 40))}`, false);
      return;
    }
    for (const ch of chunk) {
      if (ch === '\u0003') exit(130);
      if (ch === '\r') {
        if (earlyEnterMs > 0 && input !== '' && Date.now() - lastChunkAt < earlyEnterMs) {
          log('ignored early Enter', false);
          continue;
        }
        if (ignoreEnter) {
          log('ignored Enter', false);
          continue;
        }
        const text = input;
        input = '';
        submit(text);
      } else if (ch === '\u0015') {
        // Ctrl-U clears the whole input, on screen too (as a TUI's input box does): back to the prompt line
        const cols = process.stdout.columns || 80;
        const up = input.split('\n').reduce((rows, l) => rows + Math.max(1, Math.ceil((l.length + 2) / cols)), 0) - 1;
        input = '';
        process.stdout.write(`${up > 0 ? `\x1b[${up}A` : ''}\r\x1b[J> `);
      } else if (ch === '\u007f') input = input.slice(0, -1);
      else {
        input += ch;
        process.stdout.write(ch === '\n' ? '\n  ' : ch);
      }
    }
    if (!chunk.includes('\r')) lastChunkAt = Date.now();
  });
} else {
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    if (!ready) return log(`lost early input: ${JSON.stringify(line.slice(0, 40))}`);
    if (line.startsWith('[')) {
      log(`prompt received (${line.length} chars)`);
      hook('UserPromptSubmit', { prompt: line });
    }
    handleLine(line);
    if (line.startsWith('Change: ') || line.startsWith('[Main Controller Reply] ')) hook('Stop');
  });
  rl.on('close', () => {
    log('stdin closed');
    hook('SessionEnd', { reason: 'stdin closed' });
  });
}
if (refusedAsRoot) {
  // quitting (above): never ready, no SessionStart
} else if (flag('--trust-dialog')) {
  dialog = true;
  process.stdout.write(`Accessing workspace:\n\n ${process.cwd()}\n\n Do you trust the files in this folder?\n\n ❯ 1. Yes, I trust this folder\n   2. No, exit\n`);
  log('showing trust dialog');
} else setTimeout(becomeReady, startDelay);

#!/usr/bin/env node
// Scripted stand-in for an AI coding agent (Claude Code, Codex, Gemini…), used as a provider by
// agent-team's end-to-end tests. It does what the real agent is asked to do, deterministically:
// it reads the lines typed into its pane (stdin); on "[New Change Assigned] <description>" followed by
// "Change: <folder>" it reads <folder>/change.yaml, writes work/<change-name>.txt, commits with
// `git add -A` (as a careless agent would: agent-team's excludes must keep role prompts out), and runs
// `agent-team reply-main "Task completed: …"` through the built CLI. Every event is also appended to the
// file given with `--log <file>` so tests can wait on it.
// With `--playbook <file.json>` ({ steps: [{ match, files: {path: text}, commit, reply, outcome?, status?, delay_ms? }] })
// the first step whose `match` occurs in the description says which files to write, the commit message
// and the reply (used by `npm run demo`); descriptions no step matches get the default behaviour. A step
// with `once: true` is used only for the first description it matches (e.g. a check that fails once).
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/agent-team.js', import.meta.url));
// Like claude 2.1: `--dangerously-skip-permissions` is refused as root unless IS_SANDBOX=1, after start-up
// (AGENT_TEAM_STANDIN_ROOT=1 makes a normal user count as root, so the path is tested everywhere).
if (process.argv.includes('--dangerously-skip-permissions') && (process.getuid?.() === 0 || process.env.AGENT_TEAM_STANDIN_ROOT === '1') && process.env.IS_SANDBOX !== '1') {
  process.stderr.write('--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n');
  setTimeout(() => process.exit(1), 300);
}
const logIndex = process.argv.indexOf('--log');
const logFile = logIndex > 0 ? process.argv[logIndex + 1] : undefined;
const playbookIndex = process.argv.indexOf('--playbook');
// an empty playbook file (e.g. --playbook /dev/null) means no steps
const playbookText = playbookIndex > 0 ? readFileSync(process.argv[playbookIndex + 1], 'utf8') : '';
const playbook = playbookText.trim() ? JSON.parse(playbookText) : { steps: [] };

function log(event) {
  const line = `${new Date().toISOString()} ${event}`;
  process.stdout.write(`[scripted-agent] ${event}\n`);
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
  const step = playbook.steps.find((s, i) => description.includes(s.match) && !(s.once && used.has(i)));
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

log(`started in ${process.cwd()} as ${process.env.AGENT_TEAM_WORKER_ID ?? '(no worker id)'}`);
let pending;
const rl = createInterface({ input: process.stdin, terminal: false });
rl.on('line', (raw) => {
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
});
rl.on('close', () => log('stdin closed'));

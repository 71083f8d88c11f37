/**
 * The pure and in-process halves of finishing a delivery whose CLI was stopped (userplay finding 1):
 * reading the input box without a "before" capture, the delivery record (a change never confirmed
 * delivered is reported; a delivered one, one the worker replied on, or one made before this record
 * existed — by the Go version or an older agent-team — is not), and the hint of the exit-130 document.
 * End to end: test/worker/undelivered.e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { interruptHint } from '../../src/cli/interrupt-hint.js';
import { processStartTime } from '../../src/store/lock.js';
import { createChange, setChangeStatus } from '../../src/worker/changes.js';
import { recordDelivery, undeliveredChange } from '../../src/worker/delivery-record.js';
import { inputBoxHolds, textAtEnd } from '../../src/worker/input-box.js';
import { assignMessage } from '../../src/worker/messages.js';
import { tempDir } from '../helpers/repo.js';

const TEXT = assignMessage({ description: 'Write the greeting file', changeDir: '.tasks/changes/2026-11-30-12-00-00-write-the-greeting-file/' });

/** How a 60-column TUI draws `text` in a bordered input box, with a status line under it. */
function boxed(text: string, width = 60): string[] {
  const rows = text.split('\n').flatMap((l) => (l.match(new RegExp(`.{1,${width}}`, 'g')) ?? ['']));
  return ['previous output', '╭' + '─'.repeat(width + 2) + '╮', ...rows.map((r, i) => `│ ${i === 0 ? '❯' : ' '} ${r.padEnd(width)} │`), '╰' + '─'.repeat(width + 2) + '╯', '  ? for shortcuts'];
}

describe('reading a task left in the input box', () => {
  it('finds the whole text however it is wrapped or boxed, a paste placeholder, or only its start', () => {
    expect(inputBoxHolds(boxed(TEXT), TEXT)).toBe('all');
    expect(inputBoxHolds(['> ' + TEXT.replaceAll('\n', '\n  ')].join('\n').split('\n'), TEXT)).toBe('all');
    expect(inputBoxHolds(['ready', '> [Pasted Text: 7 lines]'], TEXT)).toBe('all');
    expect(inputBoxHolds(boxed(TEXT.slice(0, 150)), TEXT)).toBe('part');
    expect(inputBoxHolds(['ready', '> '], TEXT)).toBe('none');
    // another change's text (same description, other folder) is not this one
    expect(inputBoxHolds(boxed(TEXT.replace('12-00-00', '12-00-01')), TEXT)).toBe('none');
  });

  it('tells a text still in the box (at the bottom) from a prompt the agent took (output after it)', () => {
    expect(textAtEnd(boxed(TEXT), TEXT)).toBe(true);
    expect(textAtEnd([...boxed(TEXT).slice(0, -2), '[scripted-agent] prompt received (330 chars)', '[scripted-agent] assigned: Write the greeting file', '> '], TEXT)).toBe(false);
    expect(textAtEnd(['> '], TEXT)).toBe(false);
  });
});

describe('the delivery record', () => {
  let dir: { dir: string; cleanup: () => void } | undefined;
  afterEach(() => dir?.cleanup());

  function project() {
    dir = tempDir('agent-team-delivery-');
    const root = dir.dir;
    mkdirSync(join(root, '.agents/workers/dev-001'), { recursive: true });
    const worktree = join(root, '.worktrees/dev-001');
    mkdirSync(worktree, { recursive: true });
    const change = createChange(worktree, { description: "Write the greeting file, it's short", assignedTo: 'dev-001' });
    return { root, worktree, change: change.relativeDir };
  }

  it('reports a change typed but never confirmed, with the line that delivers it, until it is delivered', () => {
    const { root, change } = project();
    expect(undeliveredChange(root, 'dev-001'), 'a change with no record (Go version, older agent-team) counts as delivered').toBeUndefined();
    recordDelivery(root, 'dev-001', change, 'pending');
    expect(undeliveredChange(root, 'dev-001')).toMatchObject({ change, state: 'pending', fix: `agent-team worker assign dev-001 'Write the greeting file, it'\\''s short' --change ${change}` });
    expect(undeliveredChange(root, 'dev-001', change)).toBeDefined();
    expect(undeliveredChange(root, 'dev-001', '.tasks/changes/other/')).toBeUndefined();
    recordDelivery(root, 'dev-001', change, 'entered');
    const entered = undeliveredChange(root, 'dev-001');
    expect(entered).toMatchObject({ state: 'entered' });
    recordDelivery(root, 'dev-001', change, 'submitted');
    expect(undeliveredChange(root, 'dev-001')).toBeUndefined();
  });

  it('a delivery another live process is making now is in progress, not a leftover; once that process is gone it is one', async () => {
    const { root, change } = project();
    recordDelivery(root, 'dev-001', change, 'pending');
    expect(undeliveredChange(root, 'dev-001')).toMatchObject({ inProgress: false }); // this process's own
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const file = join(root, '.agents/workers/dev-001/delivery.yaml');
      const mine = readFileSync(file, 'utf8');
      writeFileSync(file, mine.replace(/^pid: \d+$/m, `pid: ${other.pid}`).replace(/^pid_start: .*$/m, `pid_start: '${processStartTime(other.pid as number)}'`));
      expect(undeliveredChange(root, 'dev-001')).toMatchObject({ state: 'pending', inProgress: true });
      // the same pid with another start time: a reused pid, the delivering CLI is gone
      writeFileSync(file, mine.replace(/^pid: \d+$/m, `pid: ${other.pid}`).replace(/^pid_start: .*$/m, "pid_start: '1'"));
      expect(undeliveredChange(root, 'dev-001')).toMatchObject({ inProgress: false });
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    expect(undeliveredChange(root, 'dev-001')).toMatchObject({ state: 'pending', inProgress: false });
  });

  it('a reply on the change proves the agent got it', () => {
    const { root, worktree, change } = project();
    recordDelivery(root, 'dev-001', change, 'entered');
    setChangeStatus(worktree, change, 'needs-input', { reply: 'Need decision: which file?', replied_at: '2026-11-30T12:00:00Z' });
    expect(undeliveredChange(root, 'dev-001')).toBeUndefined();
  });
});

describe('the hint of an interrupted command (exit 130)', () => {
  it('names what to run next, quoted to paste as printed', () => {
    expect(interruptHint(['workflow', 'run', 'runs/my run.yaml', '--wait', '--json'])).toBe("agent-team workflow run 'runs/my run.yaml' --wait --json");
    expect(interruptHint(['workflow', 'state', 'next', 'r.yaml', '--wait'])).toBe('agent-team workflow state next r.yaml --wait');
    // never --yes: the interrupted call may have reached a merge nobody has seen (found by review)
    expect(interruptHint(['workflow', 'run', 'r.yaml', '--yes', '--wait'])).toBe('agent-team workflow run r.yaml --wait');
    expect(interruptHint(['worker', 'assign', 'dev-001', 'Do it'])).toBe('agent-team worker status');
    expect(interruptHint(['worker', 'merge', 'dev-001'])).toBe('agent-team doctor');
  });
});

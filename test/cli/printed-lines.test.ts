/**
 * Printed command lines run as printed (the controller skill's promise): every quoted argument pastes
 * into bash as ONE line and reaches the program unchanged, and only a hint that is one command line is
 * labelled `try:`.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hintLabel } from '../../src/cli/hint-label.js';
import { shellQuote } from '../../src/shell-quote.js';

/** What bash passes as the one argument of `printf %s <line>`. */
function throughBash(quoted: string): string {
  const r = spawnSync('bash', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('shellQuote', () => {
  const texts = [
    'plain-word_1.yaml',
    'two words',
    "it's",
    'a worker message\nwith a second line',
    'tabs\tand\rreturns',
    "both\n'quotes' and \\backslashes\\",
    '$(touch /tmp/never) `id` ${HOME}',
    'bell \u0007 and escape \u001b[31m',
    'ünïcode ✓',
  ];
  it.each(texts)('%j pastes as one line and arrives unchanged', (text) => {
    const quoted = shellQuote(text);
    expect(quoted).not.toMatch(/[\n\r]/);
    expect(throughBash(quoted)).toBe(text);
  });
  it('leaves plain words as they are', () => {
    expect(shellQuote('team/dev-001')).toBe('team/dev-001');
    expect(shellQuote('')).toBe("''");
  });
});

describe('hintLabel', () => {
  it.each([
    'agent-team workflow state list',
    "agent-team workflow state init '.agents/workflow/my flow.yaml' --param requirement='The feature: in words, or not'",
    'agent-team worker open dev-001',
    'IS_SANDBOX=1 agent-team worker open dev-001',
    "git worktree unlock '/tmp/a b'",
  ])('a single command is try: %s', (hint) => expect(hintLabel(hint)).toBe('try:'));
  it.each([
    'list runs with: agent-team workflow state list',
    "ask the person to review these commands; only with their yes: agent-team trust '/tmp/p'",
    'add --force to replace it, or choose another --output',
    'agent-team worker merge dev-001, or keep them on an archive branch and delete: agent-team worker delete dev-001 --force',
    'restore the file from a backup or version control',
    'agent-team worker open dev-001\nagent-team worker open dev-002',
  ])('prose is hint: %s', (hint) => expect(hintLabel(hint)).toBe('hint:'));
});

describe('renderNext', () => {
  it('keeps the header and the params line on one line when a worker message or a param holds a newline', async () => {
    const { renderNext } = await import('../../src/cli/handlers/controller.js');
    const text = renderNext({
      kind: 'decide',
      message: 'dev-001 needs input: which file?\nsrc/a.js or src/b.js',
      params: { requirement: 'first line\nsecond line' },
      commands: [],
      choices: [{ outcome: 'answer', command: "agent-team reply dev-001 '<answer>'" }],
      then: [],
      warnings: [],
    } as unknown as Parameters<typeof renderNext>[0]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/needs input: which file\? \| src\/a\.js or src\/b\.js$/);
    expect(lines).toContain('params: requirement=first line | second line');
  });
});

/**
 * Every printed command is safe to paste (issue 10, item 1): along a `branching` run, every line `state
 * next` prints (commands, choices, then) and every refusal's `try:` line passes `bash -n`, takes no shell
 * metacharacter, and does what its label says — a choice labelled `dev_first` confirms exactly
 * `dev_first`; a refusal for the wrong node points at `state next` (run as printed, it changes nothing);
 * `complete`/`confirm` of a worker node nobody started is refused without --force. The findings: a
 * printed `--outcome test_first|dev_first` confirmed test_first through a pipe, and a `try:` line
 * completed a worker node that was never started.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrinted, printedLines, shellWords } from './skill-table.js';
import { execPrinted, makeTeam, type Team } from './support.js';
import '../workflow/fresh-build.js';

/** `bash -n -c line` exits 0 (the line parses as one simple command) and the line has no shell metacharacter. */
function expectPasteable(line: string): void {
  execFileSync('bash', ['-n', '-c', line], { stdio: 'pipe' });
  expect(() => shellWords(line), line).not.toThrow();
  expect(parsePrinted(line).leaf, `${line} is a command`).toBe(true);
}

/** Every runnable line of a `next` document, checked; choices must finish the node with their own outcome. */
function expectSafeStep(step: any): void {
  for (const line of printedLines(step)) expectPasteable(line);
  for (const choice of step.choices) {
    const words = shellWords(choice.command);
    expect(words.slice(0, 4)).toEqual(['agent-team', 'workflow', 'state', step.requires_confirmation ? 'confirm' : 'complete']);
    expect(words[words.indexOf('--node') + 1]).toBe(step.node.id);
    if (choice.outcome) expect(words[words.indexOf('--outcome') + 1], choice.command).toBe(choice.outcome);
    else expect(words).not.toContain('--outcome');
  }
  expect(step.done_when, 'done_when is prose, never a pipe or a placeholder').not.toMatch(/[|<>]/);
}

describe('printed commands along a branching run', () => {
  let team: Team;
  let file: string;
  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: {},
      playbook: [{ match: 'Break down the requirement', reply: 'Task completed: two sub-tasks' }],
    });
    team.ok(['workflow', 'create', 'feat', '--preset', 'branching', '--cto-role', 'dev', '--dev-role', 'dev', '--qa-role', 'qa']);
    file = team.init('feat', 'f1', '--param', 'requirement=Add a greeting');
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  /** Runs `args` expecting a refusal (exit 1, run-state unchanged) and returns its JSON error. */
  function refusal(args: string[]): any {
    const before = team.bytes(file);
    const r = team.at([...args, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(team.bytes(file), 'a refused transition changes nothing').toBe(before);
    const plain = team.at(args);
    const tryLine = /^try: (.*)$/m.exec(plain.stderr)?.[1];
    expect(tryLine, plain.stderr).toBe(r.json.error.hint);
    return r.json.error;
  }

  it('a worker node nobody started cannot be completed, and the wrong node hints state next', () => {
    expectSafeStep(team.next(file));
    const wrong = refusal(['workflow', 'state', 'complete', file, '--node', 'qa_verify', '--outcome', 'passed']);
    expect(wrong).toMatchObject({ code: 'not_current_node', hint: `agent-team workflow state next ${file}` });
    expectPasteable(wrong.hint);
    const before = team.bytes(file);
    const next = execPrinted(team, wrong.hint);
    expect(team.bytes(file), 'the try: line only shows the step').toBe(before);
    expect(next.stdout).toContain('cto_breakdown');

    const skipped = refusal(['workflow', 'state', 'complete', file, '--node', 'cto_breakdown']);
    expect(skipped).toMatchObject({ code: 'node_not_started', hint: `agent-team workflow state next ${file}` });
  });

  it('the confirmation of a branching node: one line per outcome, each confirming its own', async () => {
    const report = team.ok(['workflow', 'run', file, '--wait', '--timeout', '120s']);
    expect(report, JSON.stringify({ stopped: report.stopped, why: report.why, steps: report.steps }).slice(0, 1500)).toMatchObject({ stopped: 'confirmation', next: { kind: 'confirm', node: { id: 'controller_dispatch' } } });
    expectSafeStep(report.next);
    expect(report.next.choices.map((c: any) => c.outcome)).toEqual(['test_first', 'dev_first']);

    const noOutcome = refusal(['workflow', 'state', 'confirm', file, '--node', 'controller_dispatch']);
    expect(noOutcome).toMatchObject({ code: 'missing_outcome', hint: `agent-team workflow state next ${file}` });
    const completed = refusal(['workflow', 'state', 'complete', file, '--node', 'controller_dispatch', '--outcome', 'dev_first']);
    expect(completed.code).toBe('requires_confirmation');
    for (const line of [noOutcome.hint, ...noOutcome.details.choices, completed.hint, ...completed.details.choices]) expectPasteable(line);
    expect(noOutcome.details.choices).toEqual(report.next.choices.map((c: any) => c.command.replace(/ --summary .*$/, '')));

    const devFirst = report.next.choices.find((c: any) => c.outcome === 'dev_first');
    execPrinted(team, devFirst.command, { summary: 'dev first' });
    const state = team.show(file);
    expect(state.decision_log.at(-1)).toMatchObject({ node: 'controller_dispatch', action: 'confirm', outcome: 'dev_first' });
    expect(state.current_node).toBe('dev_implement');
    expectSafeStep(team.next(file));
  });
});

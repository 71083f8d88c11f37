/**
 * A printed line that holds a placeholder the user has to fill (`'<The feature …>'`) is never a `try:`
 * line (finding 10 of the session-4 user play): such a line is a `hint:`, and pasted as printed it does
 * not silently succeed — a param value that is exactly the printed placeholder is refused (exit 2, no
 * run created). Built CLI, real git repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hintLabel } from '../../src/cli/hint-label.js';
import { cli } from '../helpers/cli.js';
import { pasteInBash } from '../helpers/paste.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

const FEATURE = `version: 1
name: feature
params:
    requirement: { type: string, required: true, description: "The feature or change to deliver, in the user's words" }
    areas: { type: list, required: true, description: Where }
roles:
    dev: { role: dev }
entry: finish
nodes:
    - id: finish
      type: controller_task
      task: "Deliver {{params.requirement}} in {{params.areas}}"
      end: true
`;

let repo: ReturnType<typeof tempRepo> | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

describe('placeholders in printed lines', () => {
  it('a command line with a placeholder to fill is a hint:, not a try:', () => {
    expect(hintLabel("agent-team workflow state init .agents/workflow/feature.yaml --param requirement='<The feature or change to deliver>'")).toBe('hint:');
    expect(hintLabel("agent-team workflow state init f.yaml --param areas='<item>,<item>'")).toBe('hint:');
    expect(hintLabel("agent-team workflow state init f.yaml --param requirement='Add <b> tags to the title'")).toBe('try:');
    expect(hintLabel('agent-team workflow state init f.yaml --param count=0')).toBe('try:');
  });

  it('state init without a required param prints a hint: line; pasted as printed it is refused and creates no run', () => {
    repo = tempRepo();
    writeFile(repo.dir, '.agents/workflow/feature.yaml', FEATURE);
    const env = { AGENT_TEAM_HOME: join(repo.dir, '.home') };
    const missing = cli(['workflow', 'state', 'init', '.agents/workflow/feature.yaml', '--run-id', 'p1'], { cwd: repo.dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(/^try:/m);
    const line = /^hint: (agent-team workflow state init .*)$/m.exec(missing.stderr)?.[1];
    expect(line, missing.stderr).toContain("--param requirement='<The feature or change to deliver, in the user'\\''s words>'");
    const json = cli(['workflow', 'state', 'init', '.agents/workflow/feature.yaml', '--run-id', 'p1', '--json'], { cwd: repo.dir, env }).json;
    expect(json.error).toMatchObject({ code: 'missing_param', hint: line });
    expect(json.error.try).toBeUndefined();

    const pasted = pasteInBash(`${line} --json`, repo.dir, env);
    expect(pasted.code).toBe(2);
    expect(pasted.json.error.code).toBe('invalid_param');
    expect(pasted.json.error.message).toContain('requirement');
    expect(pasted.json.error.message).toContain('placeholder');
    expect(existsSync(join(repo.dir, '.agents/workflow/runs/feature/p1.yaml'))).toBe(false);

    // the list placeholder too, and a real value then goes through
    const listed = cli(['workflow', 'state', 'init', '.agents/workflow/feature.yaml', '--run-id', 'p1', '--param', 'requirement=Add a login page', '--param', 'areas=<item>,<item>', '--json'], { cwd: repo.dir, env });
    expect(listed.code).toBe(2);
    expect(listed.json.error.message).toContain('areas');
    const ok = cli(['workflow', 'state', 'init', '.agents/workflow/feature.yaml', '--run-id', 'p1', '--param', 'requirement=Add a login page', '--param', 'areas=api,ui', '--json'], { cwd: repo.dir, env });
    expect(ok.code, ok.stderr).toBe(0);
  });
});

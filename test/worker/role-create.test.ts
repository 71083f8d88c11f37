/**
 * Roles can be made (issue 10, item 4): `role create` writes SKILL.md (front matter name, description) and
 * system.md and never overwrites without --force; validate, state init and next name the roles a template
 * needs that do not exist, with the `role create` line (safe to paste, and it works); `workflow create
 * --create-roles` creates a preset's missing roles so the first command `next` prints succeeds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir, tempRepo, writeFile } from '../helpers/repo.js';
import { shellWords } from '../controller/skill-table.js';
import '../workflow/fresh-build.js';

let repo: { dir: string; cleanup: () => void };
let home: { dir: string; cleanup: () => void };
const run = (...args: string[]) => cli(args, { cwd: repo.dir, env: { AGENT_TEAM_HOME: home.dir } });

beforeEach(() => {
  repo = tempRepo();
  home = tempDir();
});
afterEach(() => {
  repo.cleanup();
  home.cleanup();
});

/** Runs a printed `agent-team …` line through the CLI as a shell would split it. */
function paste(line: string) {
  const words = shellWords(line);
  expect(words[0]).toBe('agent-team');
  return run(...words.slice(1), '--json');
}

describe('role create', () => {
  it('writes SKILL.md with front matter and system.md, and role list shows it', () => {
    const r = run('role', 'create', 'qa', '--description', 'Writes and runs the acceptance tests', '--json');
    expect(r.code, r.stderr).toBe(0);
    const dir = join(repo.dir, '.agents/teams/qa');
    expect(r.json).toMatchObject({ ok: true, replaced: false, role: { name: 'qa', scope: 'project', path: dir, hasSkill: true, hasSystem: true } });
    const skill = readFileSync(join(dir, 'SKILL.md'), 'utf8');
    expect(skill).toMatch(/^---\nname: qa\ndescription: Writes and runs the acceptance tests\n---\n/);
    expect(readFileSync(join(dir, 'system.md'), 'utf8')).toContain('Writes and runs the acceptance tests');
    const list = run('role', 'list', '--json');
    expect(list.json.roles).toEqual([expect.objectContaining({ name: 'qa', scope: 'project', description: 'Writes and runs the acceptance tests' })]);
  });

  it('refuses to overwrite (exit 1, files untouched) unless --force', () => {
    expect(run('role', 'create', 'qa', '--json').code).toBe(0);
    const system = join(repo.dir, '.agents/teams/qa/system.md');
    writeFile(repo.dir, '.agents/teams/qa/system.md', 'my own prompt\n');
    const again = run('role', 'create', 'qa', '--description', 'other', '--json');
    expect(again.code).toBe(1);
    expect(again.json.error).toMatchObject({ code: 'role_exists', hint: 'agent-team role create qa --force' });
    expect(readFileSync(system, 'utf8')).toBe('my own prompt\n');
    const forced = run('role', 'create', 'qa', '--description', 'other', '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.json.replaced).toBe(true);
    expect(readFileSync(system, 'utf8')).toContain('other');
  });

  it('takes system.md or SKILL.md from a file, not both; an unreadable file is exit 2 naming it', () => {
    writeFile(repo.dir, 'prompt.md', 'You review pull requests.\n');
    const sys = run('role', 'create', 'reviewer', '--system-file', 'prompt.md', '--json');
    expect(sys.code, sys.stderr).toBe(0);
    expect(readFileSync(join(repo.dir, '.agents/teams/reviewer/system.md'), 'utf8')).toBe('You review pull requests.\n');

    writeFile(repo.dir, 'skill.md', '# Designer\n\nYou design screens.\n');
    const skill = run('role', 'create', 'designer', '--skill-file', 'skill.md', '--description', 'Designs screens', '--json');
    expect(skill.code, skill.stderr).toBe(0);
    expect(readFileSync(join(repo.dir, '.agents/teams/designer/SKILL.md'), 'utf8')).toBe('---\nname: designer\ndescription: Designs screens\n---\n\n# Designer\n\nYou design screens.\n');
    expect(existsSync(join(repo.dir, '.agents/teams/designer/system.md'))).toBe(false);

    const both = run('role', 'create', 'x', '--skill-file', 'skill.md', '--system-file', 'prompt.md', '--json');
    expect(both.code).toBe(2);
    const missing = run('role', 'create', 'y', '--system-file', 'nope.md', '--json');
    expect(missing.code).toBe(2);
    expect(missing.json.error.message).toContain('--system-file nope.md');
    expect(existsSync(join(repo.dir, '.agents/teams/y'))).toBe(false);
    expect(run('role', 'create', 'Bad Name', '--json').code).toBe(2);
  });

  it('--global writes under the global roles folder', () => {
    const r = run('role', 'create', 'architect', '--global', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.role).toMatchObject({ scope: 'global', path: join(home.dir, 'roles', 'architect') });
    expect(existsSync(join(home.dir, 'roles/architect/SKILL.md'))).toBe(true);
    expect(existsSync(join(repo.dir, '.agents/teams/architect'))).toBe(false);
  });
});

describe('missing roles are named where a controller looks', () => {
  it('validate, state init and next warn with a role create line that works; then worker create succeeds', () => {
    const created = run('workflow', 'create', 'feature', '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(created.json.created_roles).toEqual([]);
    expect(created.json.missing_roles.map((m: any) => m.role)).toEqual(['cto', 'vite-react-dev', 'qa']);
    expect(created.stderr).toContain('agent-team role create cto');
    expect(existsSync(join(repo.dir, '.agents/teams'))).toBe(false);

    const validate = run('workflow', 'validate', '.agents/workflow/feature.yaml', '--json');
    expect(validate.code).toBe(0);
    const warnings = validate.json.warnings.filter((w: any) => w.code === 'missing_role');
    expect(warnings.map((w: any) => w.path)).toEqual(['roles.cto.role', 'roles.dev.role', 'roles.qa.role']);
    expect(warnings[0]).toMatchObject({ line: expect.any(Number), hint: "agent-team role create cto --description 'The cto of the team'" });
    expect(run('workflow', 'validate', '.agents/workflow/feature.yaml').stdout).toContain('[missing_role]');

    const init = run('workflow', 'state', 'init', '.agents/workflow/feature.yaml', '--run-id', 'r1', '--param', 'requirement=Add a login page', '--json');
    expect(init.code).toBe(0);
    expect(init.json.missing_roles).toHaveLength(3);
    expect(init.stderr).toContain("agent-team role create vite-react-dev --description 'The dev of the team (role vite-react-dev)'");

    const next = run('workflow', 'state', 'next', init.json.path, '--json');
    expect(next.code).toBe(0);
    expect(next.json.missing_roles.map((m: any) => m.create)).toEqual(warnings.map((w: any) => w.hint).slice(0, 3));
    expect(next.stderr).toContain('agent-team role create qa');

    for (const w of next.json.missing_roles) expect(paste(w.create).code).toBe(0);
    const again = run('workflow', 'state', 'next', init.json.path, '--json');
    expect(again.json.missing_roles).toBeUndefined();
    expect(again.stderr).not.toContain('role create');
    expect(run('worker', 'create', 'cto', '--json').code).toBe(0);
  });

  it('workflow create --create-roles creates the preset\'s missing roles (and leaves existing ones alone)', () => {
    writeFile(repo.dir, '.agents/teams/qa/system.md', 'my qa\n');
    const r = run('workflow', 'create', 'feature', '--preset', 'dev-first', '--create-roles', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.created_roles).toEqual([join(repo.dir, '.agents/teams/cto'), join(repo.dir, '.agents/teams/vite-react-dev')]);
    expect(r.json.missing_roles).toEqual([]);
    expect(readFileSync(join(repo.dir, '.agents/teams/qa/system.md'), 'utf8')).toBe('my qa\n');
    const validate = run('workflow', 'validate', '.agents/workflow/feature.yaml', '--json');
    expect(validate.json.warnings.filter((w: any) => w.code === 'missing_role')).toEqual([]);
  });
});

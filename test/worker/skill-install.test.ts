/** `agent-team skill install`: the shipped skills land where each provider looks, project or global. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir, tempRepo } from '../helpers/repo.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('skill install', () => {
  it.each([
    ['claude', '.claude/skills'],
    ['codex', '.agents/skills'],
    ['gemini', '.gemini/skills'],
    ['opencode', '.opencode/skills'],
  ])('installs both skills for %s in the project (%s)', (provider, folder) => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    const sub = join(repo.dir, 'nested');
    mkdirSync(sub);
    const r = cli(['skill', 'install', '--provider', provider, '--json'], { cwd: sub });
    expect(r.code, r.stderr).toBe(0);
    for (const skill of ['agent-team', 'worker-reply-main']) {
      const file = join(repo.dir, folder, skill, 'SKILL.md');
      expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^---\\nname: ${skill}\\ndescription: `));
    }
    expect(existsSync(join(repo.dir, folder, 'agent-team', 'references', 'node-types.md'))).toBe(true);
    expect(r.json.installed).toHaveLength(2);
  });

  it('installs globally under $HOME with --global, and refuses unknown providers (exit 2)', () => {
    const repo = tempRepo();
    const home = tempDir();
    cleanups.push(repo.cleanup, home.cleanup);
    const r = cli(['skill', 'install', '--global', '--json'], { cwd: repo.dir, env: { HOME: home.dir } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(home.dir, '.claude/skills/agent-team/SKILL.md'))).toBe(true);
    expect(existsSync(join(repo.dir, '.claude'))).toBe(false);
    const bad = cli(['skill', 'install', '--provider', 'cursor', '--json'], { cwd: repo.dir });
    expect(bad.code).toBe(2);
    expect(bad.json.ok).toBe(false);
  });
});

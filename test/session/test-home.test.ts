/**
 * The test HOME (test/helpers/test-home.ts): tests, and the pane shells they start, never run the
 * machine user's start-up files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the test HOME', () => {
  it('is an empty temp folder with only a git identity, not the user home', () => {
    const home = process.env.HOME ?? '';
    expect(home).not.toBe(userInfo().homedir);
    expect(home).toBe(process.env.AGENT_TEAM_TEST_HOME);
    for (const rc of ['.bashrc', '.profile', '.bash_profile', '.zshrc']) expect(existsSync(join(home, rc)), rc).toBe(false);
    expect(readFileSync(join(home, '.gitconfig'), 'utf8')).toMatch(/email = test@example.com/);
  });
});

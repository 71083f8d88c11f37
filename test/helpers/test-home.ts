/**
 * vitest globalSetup: every test process, and everything it starts (the CLI, git, tmux servers and the
 * shells of their panes), runs with HOME set to one empty temp folder that holds only a `.gitconfig`
 * with a test identity. So the machine user's start-up files (`~/.bashrc` running `pyenv init`, nvm…)
 * never run in a test pane: they cost ~100 ms per pane shell here, and a pane killed while pyenv
 * rehashed left a lock that stalled every later shell for 60 s. Tests about start-up files give a HOME
 * of their own (test/worker/e2e-slow-rc.test.ts). Removed when the run ends.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates the test HOME and sets `process.env.HOME` (inherited by the test workers); returns the teardown. */
export function setup(): () => void {
  const home = mkdtempSync(join(tmpdir(), 'agent-team-test-home-'));
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Test\n\temail = test@example.com\n[commit]\n\tgpgsign = false\n[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n');
  const before = process.env.HOME;
  process.env.HOME = home;
  process.env.AGENT_TEAM_TEST_HOME = home;
  return () => {
    process.env.HOME = before;
    rmSync(home, { recursive: true, force: true });
  };
}

/**
 * `run` (src/session/exec.ts): every child process that is not git goes through execa with an argument
 * array — tmux, wezterm, ps, mkfifo, the process backend's shells and provider `--version` probes — with
 * the same contract the backends map their errors from: exit code and untrimmed output whatever the
 * code, `not_installed` (with the backend's hint), `timeout` (the program killed), never a shell.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/errors.js';
import { run } from '../../src/session/exec.js';
import { pidRunning } from '../../src/session/proc-info.js';
import { tempDir } from '../helpers/repo.js';
import { sourcesMatching } from '../helpers/sources.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});
function temp(): string {
  const t = tempDir('agent-team-exec-');
  cleanup = t.cleanup;
  return t.dir;
}

describe('run: external programs through execa', () => {
  it('only git is spawned with node:child_process (src/git/); everything else goes through execa', () => {
    const CHILD_PROCESS = /^\s*import\s+(?!type\b)[^;]*?from\s+'(?:node:)?child_process'|import\(\s*'(?:node:)?child_process'\s*\)/m;
    const spawners = sourcesMatching(CHILD_PROCESS).filter((f) => !f.startsWith('git/'));
    // opencode.ts only holds the source text of the plugin opencode itself runs
    expect(spawners).toEqual(['provider/opencode.ts']);
  });

  it('returns the exit code and untrimmed output whatever the code; input reaches stdin', async () => {
    await expect(run('sh', ['-c', 'printf "out\\n\\n"; printf err >&2; exit 3'])).resolves.toEqual({ code: 3, stdout: 'out\n\n', stderr: 'err' });
    await expect(run('cat', [], { input: 'typed text\n' })).resolves.toMatchObject({ code: 0, stdout: 'typed text\n' });
    // a program that exits without reading a large input is not an error (no EPIPE)
    await expect(run('true', [], { input: 'x'.repeat(1 << 20) })).resolves.toMatchObject({ code: 0 });
    // killed by a signal: -1
    await expect(run('sh', ['-c', 'kill -9 $$'])).resolves.toMatchObject({ code: -1 });
  });

  it('passes arguments literally (no shell) and gives the program exactly the env it was given', async () => {
    const dir = temp();
    const word = `$(touch ${join(dir, 'X')}); \`touch ${join(dir, 'Y')}\` * ~ "q" 'q'`;
    await expect(run('printf', ['%s', word])).resolves.toMatchObject({ stdout: word });
    expect(readdirSync(dir)).toEqual([]);
    const r = await run('sh', ['-c', 'printf "%s|%s" "$ONLY" "${HOME-unset}"'], { env: { ONLY: 'this', PATH: process.env.PATH } });
    expect(r.stdout).toBe('this|unset');
  });

  it('not_installed (with the hint) for a missing program, failed for one that cannot run', async () => {
    const missing = run('agent-team-no-such-program', ['x'], { missingHint: 'set AGENT_TEAM_BACKEND=process' });
    await expect(missing).rejects.toBeInstanceOf(OperationError);
    await expect(missing).rejects.toMatchObject({ code: 'not_installed', exitCode: 1, hint: 'set AGENT_TEAM_BACKEND=process', message: expect.stringContaining('agent-team-no-such-program is not installed') });
    const dir = temp();
    const file = join(dir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o644);
    await expect(run(file, [])).rejects.toMatchObject({ code: 'failed', exitCode: 1, message: expect.stringContaining(`could not run ${file}`) });
  });

  it('timeout: the program is killed and the call fails with code timeout', async () => {
    const dir = temp();
    const pidFile = join(dir, 'pid');
    const slow = run('sh', ['-c', `echo $$ > ${pidFile}; exec sleep 30`], { timeoutMs: 1000 });
    await expect(slow).rejects.toMatchObject({ code: 'timeout', exitCode: 1, message: expect.stringContaining('did not finish within 1000 ms') });
    expect(existsSync(pidFile)).toBe(true);
    expect(pidRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});

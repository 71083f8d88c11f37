/** `worker event` and `provider list` through the built CLI: appends under the lock, refusals, the provider table. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, cliAsync } from '../helpers/cli.js';
import { makeProject, type Project } from '../worker/support.js';

let project: Project;
afterEach(() => project?.cleanup());

describe('worker event', () => {
  it('appends one line per event under the lock (20 concurrent hooks, none lost), with the payload fields', async () => {
    project = makeProject();
    expect(cli(['worker', 'create', 'dev', '--provider', 'scripted'], { cwd: project.root }).code).toBe(0);
    const first = cli(['worker', 'event', 'dev-001', 'session-start', '--json'], { cwd: project.root, input: JSON.stringify({ session_id: 'abc', hook_event_name: 'SessionStart', transcript_path: '/t' }) });
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ ok: true, event: 'session-start', session_id: 'abc', data: { hook_event_name: 'SessionStart' } });
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => cliAsync(['worker', 'event', 'dev-001', i % 2 ? 'turn-end' : 'prompt-submit', '--root', project.root], { cwd: '/' })));
    expect(runs.map((r) => r.code)).toEqual(Array(20).fill(0));
    const lines = readFileSync(join(project.root, '.agents/workers/dev-001/events.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(21);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const status = cli(['worker', 'status', '--json'], { cwd: project.root });
    expect(status.json.workers[0]).toMatchObject({ activity: 'exited', session_id: 'abc' });
  });

  it('refuses an unknown event (exit 2, the list) and an unknown worker (exit 1), writing nothing', () => {
    project = makeProject();
    expect(cli(['worker', 'create', 'dev', '--provider', 'scripted'], { cwd: project.root }).code).toBe(0);
    const bad = cli(['worker', 'event', 'dev-001', 'sneeze', '--json'], { cwd: project.root });
    expect(bad.code).toBe(2);
    expect(bad.json.error.message).toMatch(/unknown worker event "sneeze"; known events: launch, session-start/);
    const ghost = cli(['worker', 'event', 'dev-009', 'turn-end', '--json'], { cwd: project.root });
    expect(ghost.code).toBe(1);
    expect(ghost.json.error.code).toBe('unknown_worker');
    expect(() => readFileSync(join(project.root, '.agents/workers/dev-001/events.jsonl'))).toThrow();
  });
});

describe('provider list', () => {
  it('lists built-ins and project providers with PATH and version; like: is shown', () => {
    project = makeProject();
    // a PATH this test controls (the machine's own may hold any agent): node and git, plus a fake `codex`
    const bin = mkdtempSync(join(tmpdir(), 'agent-team-path-'));
    try {
      for (const tool of ['node', 'git']) {
        const real = execFileSync('which', [tool], { encoding: 'utf8' }).trim();
        symlinkSync(real, join(bin, tool));
      }
      writeFileSync(join(bin, 'codex'), '#!/bin/sh\necho "codex-cli 9.9.9"\n', { mode: 0o755 });
      writeFileSync(join(project.root, '.agents/config.yaml'), `${readFileSync(join(project.root, '.agents/config.yaml'), 'utf8')}    standin: { command: "node --no-warnings", like: claude }\n`);
      const r = cli(['provider', 'list', '--json'], { cwd: project.root, env: { PATH: bin } });
      expect(r.code, r.stderr).toBe(0);
      const names = r.json.providers.map((p: { name: string }) => p.name);
      expect(names).toEqual(['claude', 'codex', 'gemini', 'opencode', 'agy', 'scripted', 'standin']);
      const row = (name: string) => r.json.providers.find((p: { name: string }) => p.name === name);
      expect(row('scripted')).toMatchObject({ source: 'project', binary: 'node', events: false, path: join(bin, 'node'), version: process.version });
      expect(row('standin')).toMatchObject({ source: 'project', like: 'claude', binary: 'node', events: true, path: join(bin, 'node') });
      expect(row('codex')).toMatchObject({ source: 'builtin', like: 'codex', binary: 'codex', path: join(bin, 'codex'), version: 'codex-cli 9.9.9' });
      for (const absent of ['claude', 'gemini', 'opencode', 'agy']) expect(row(absent).path, absent).toBeUndefined();
      const text = cli(['provider', 'list'], { cwd: project.root, env: { PATH: bin } });
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^claude\s+not on PATH\s+built-in, events: claude --dangerously-skip-permissions$/m);
      expect(text.stdout).toMatch(/^codex\s+codex-cli 9\.9\.9\s+built-in, events: codex /m);
      expect(text.stdout).toMatch(/^scripted\s+v\d+\.\d+\.\d+\s+project: node /m);
      expect(text.stdout).toMatch(/^standin\s+v\d+\.\d+\.\d+\s+project \(like claude\), events: node --no-warnings$/m);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

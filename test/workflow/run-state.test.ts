/** Run-state files on their own: Go key order, round trips of awkward text, ids, paths. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UnreadableFileError } from '../../src/errors.js';
import { defaultRunId, defaultStatePath, parseRunState, resolveWorkflowFile, serializeRunState, timestamp } from '../../src/workflow/run-state.js';
import type { RunState } from '../../src/workflow/schema.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

const base: RunState = {
  version: 1,
  run_id: 'r1',
  workflow_file: '.agents/workflow/feat.yaml',
  workflow_name: 'feat',
  status: 'running',
  current_node: 'a',
  pending_confirmation: '',
  blocking_reason: '',
  role_worker_map: { qa: 'qa-001', cto: 'cto-001' },
  node_states: { a: { history: [{ status: 'completed', outcome: 'failed' }], visits: 2, status: 'running', started_at: '2026-03-13T15:30:00Z' } },
  decision_log: [{ summary: 's', node: 'a', timestamp: '2026-03-13T15:30:00Z', action: 'start' }],
  updated_at: '2026-03-13T15:31:00Z',
  created_at: '2026-03-13T15:30:00Z',
};

describe('serializeRunState', () => {
  it('writes keys in the Go struct order (ours after), block style with 2-space indentation', () => {
    const text = serializeRunState({ ...base, workflow_hash: `sha256:${'0'.repeat(64)}` });
    expect(Object.keys(parse(text))).toEqual([
      'version', 'run_id', 'workflow_file', 'workflow_name', 'workflow_hash', 'status', 'current_node', 'pending_confirmation',
      'blocking_reason', 'role_worker_map', 'node_states', 'decision_log', 'created_at', 'updated_at',
    ]);
    expect(text).toContain('node_states:\n  a:\n    status: running\n    started_at: "2026-03-13T15:30:00Z"\n    visits: 2\n    history:\n      - status: completed\n        outcome: failed\n');
    expect(text).toContain('decision_log:\n  - timestamp: "2026-03-13T15:30:00Z"\n    node: a\n    action: start\n    summary: s\n');
  });

  it.each([
    'yes', 'no', 'on', 'null', '~', '42', '007', '1e3', '0x1F', 'true', '2026-03-13', '2026-03-13T15:30:00Z', 'a: b', '- item', '#not a comment',
    '  leading spaces', 'trailing space ', 'line one\nline two', 'quote " and \' both', 'tab\there', '中文摘要', '', '@at', '`tick', '{flow}', '[x]', '*alias', '&anchor', '!tag', '%pct', '|', '>',
  ])('round-trips the summary %j exactly', (summary) => {
    const state = { ...base, blocking_reason: summary, decision_log: [{ ...base.decision_log[0], summary } as RunState['decision_log'][number]] };
    const back = parseRunState('x.yaml', serializeRunState(state));
    expect(back.blocking_reason).toBe(summary);
    expect(back.decision_log[0]?.summary).toBe(summary);
  });

  it('double-quotes timestamp-like strings, as yaml.v3 does', () => {
    const text = serializeRunState({ ...base, blocking_reason: '2026-03-13' });
    expect(text).toContain('blocking_reason: "2026-03-13"\n');
    expect(text).toContain('created_at: "2026-03-13T15:30:00Z"\n');
  });

  it('keeps unknown keys of a newer or foreign file', () => {
    const text = serializeRunState({ ...base, extra_field: 'kept' } as RunState);
    expect(parse(text).extra_field).toBe('kept');
  });

  it('keeps unknown keys named like members of every JS object (constructor, toString), at every level, through a read and a write', () => {
    const foreign = [
      'version: 1', 'run_id: r1', 'workflow_file: .agents/workflow/feat.yaml', 'workflow_name: feat', 'status: running', 'current_node: a',
      'node_states:', '  a:', '    status: running', '    constructor: node-level', '    history:', '      - status: completed', '        valueOf: visit-level',
      'decision_log:', '  - timestamp: "2026-03-13T15:30:00Z"', '    node: a', '    action: start', '    toString: entry-level',
      'created_at: "2026-03-13T15:30:00Z"', 'updated_at: "2026-03-13T15:31:00Z"', 'hasOwnProperty: run-level', '',
    ].join('\n');
    const back = parse(serializeRunState(parseRunState('x.yaml', foreign)));
    expect(back.hasOwnProperty).toBe('run-level');
    expect(back.node_states.a.constructor).toBe('node-level');
    expect(back.node_states.a.history[0].valueOf).toBe('visit-level');
    expect(back.decision_log[0].toString).toBe('entry-level');
  });

  it('leaves the state it writes untouched', () => {
    const state = structuredClone({ ...base, node_states: { a: { status: 'running' as const, visits: 1 } } });
    const before = JSON.stringify(state);
    serializeRunState(state);
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('parseRunState', () => {
  it('throws UnreadableFileError naming the file and the field', () => {
    expect(() => parseRunState('runs/x.yaml', 'version: 1\n')).toThrow(UnreadableFileError);
    expect(() => parseRunState('runs/x.yaml', 'version: 1\n')).toThrow(/^runs\/x\.yaml: is not a valid run-state: run_id: /);
  });
});

describe('ids and paths', () => {
  it('defaultRunId is YYYYMMDD-HHMMSS-<slug> in UTC, like the Go version', () => {
    expect(defaultRunId('Feature Delivery!', new Date('2026-03-13T15:30:00.789Z'))).toBe('20260313-153000-feature-delivery');
    expect(timestamp(new Date('2026-03-13T15:30:00.789Z'))).toBe('2026-03-13T15:30:00Z');
    expect(defaultRunId('***', new Date('2026-03-13T15:30:00Z'))).toBe('20260313-153000-run');
    expect(defaultStatePath('/repo', 'feat', 'r1')).toBe('/repo/.agents/workflow/runs/feat/r1.yaml');
  });

  it('resolveWorkflowFile: repository-relative from any subdirectory, absolute as is', () => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    const template = writeFile(repo.dir, '.agents/workflow/feat.yaml', 'x');
    const stateFile = join(repo.dir, '.agents/workflow/runs/feat/r1.yaml');
    const deep = join(repo.dir, 'a/b/c');
    mkdirSync(deep, { recursive: true });
    expect(resolveWorkflowFile({ workflow_file: '.agents/workflow/feat.yaml' }, stateFile, deep)).toBe(template);
    expect(resolveWorkflowFile({ workflow_file: '.agents/workflow/feat.yaml' }, '../../../.agents/workflow/runs/feat/r1.yaml', deep)).toBe(template);
    expect(resolveWorkflowFile({ workflow_file: template }, stateFile, deep)).toBe(template);
  });
});

/** The zod schemas: strict templates, lenient (Go-compatible) run-states. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunStateSchema } from '../../src/workflow/run-state-schema.js';
import { NODE_TYPES, TemplateSchema } from '../../src/workflow/schema.js';

const template = {
  version: 1,
  name: 't',
  roles: { dev: { role: 'dev' } },
  entry: 'a',
  nodes: [
    { id: 'a', type: 'assign_role_task', actor: 'dev', next: 'b' },
    { id: 'b', type: 'controller_task', requires_confirmation: true, end: true },
  ],
};

const goRunState = {
  version: 1,
  run_id: '20260313-153000-feature-delivery',
  workflow_file: '.agents/workflow/feature-delivery.yaml',
  workflow_name: 'feature-delivery',
  status: 'ready',
  current_node: 'cto_breakdown',
  node_states: { cto_breakdown: { status: 'pending' } },
  created_at: '2026-03-13T15:30:00Z',
  updated_at: '2026-03-13T15:30:00Z',
};

describe('TemplateSchema', () => {
  it('accepts a valid template', () => {
    expect(TemplateSchema.safeParse(template).success).toBe(true);
  });

  it('has the seven node types', () => {
    expect([...NODE_TYPES].sort()).toEqual(['assign_role_task', 'controller_task', 'decision', 'handoff', 'merge', 'verify_or_test', 'wait_for_completion']);
  });

  it.each([
    ['an unknown top-level key', { ...template, entry_node: 'a' }, 'unrecognized_keys'],
    ['an unknown node key', { ...template, nodes: [{ ...template.nodes[0], requires_confirmaton: true }, template.nodes[1]] }, 'unrecognized_keys'],
    ['an unknown branch key', { ...template, nodes: [{ id: 'a', type: 'decision', branches: [{ when: 'x', next: 'b', why: 1 }] }, template.nodes[1]] }, 'unrecognized_keys'],
    ['version 2', { ...template, version: 2 }, 'invalid_value'],
    ['an unknown node type', { ...template, nodes: [{ ...template.nodes[0], type: 'review' }, template.nodes[1]] }, 'invalid_value'],
    ['an empty node list', { ...template, nodes: [] }, 'too_small'],
    ['a blank name', { ...template, name: '   ' }, 'too_small'],
    ['a string for requires_confirmation', { ...template, nodes: [template.nodes[0], { ...template.nodes[1], requires_confirmation: 'yes' }] }, 'invalid_type'],
  ])('rejects %s', (_label, value, code) => {
    const r = TemplateSchema.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.code)).toContain(code);
  });

  it('converts to a JSON Schema whose properties include nodes', () => {
    const schema = z.toJSONSchema(TemplateSchema) as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['version', 'name', 'roles', 'entry', 'nodes']));
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'name', 'roles', 'entry', 'nodes']));
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('RunStateSchema', () => {
  it('accepts a Go file: omitted optional fields read as empty', () => {
    const r = RunStateSchema.parse(goRunState);
    expect(r.pending_confirmation).toBe('');
    expect(r.blocking_reason).toBe('');
    expect(r.role_worker_map).toEqual({});
    expect(r.decision_log).toEqual([]);
  });

  it('accepts a Go file with no node_states at all', () => {
    const { node_states: _n, ...rest } = goRunState;
    expect(RunStateSchema.parse(rest).node_states).toEqual({});
  });

  it('accepts the skill doc style with nulls and empty collections', () => {
    const r = RunStateSchema.parse({ ...goRunState, pending_confirmation: null, blocking_reason: null, role_worker_map: {}, decision_log: [] });
    expect(r.pending_confirmation).toBe('');
  });

  it('keeps keys it does not know (a newer or Go-specific field survives a round trip)', () => {
    const r = RunStateSchema.parse({ ...goRunState, future_field: { a: 1 }, node_states: { x: { status: 'pending', note: 'kept' } } });
    expect((r as Record<string, unknown>).future_field).toEqual({ a: 1 });
    expect((r.node_states.x as Record<string, unknown>).note).toBe('kept');
  });

  it.each([
    ['an unknown run status', { ...goRunState, status: 'paused' }, 'status'],
    ['an unknown node status', { ...goRunState, node_states: { a: { status: 'done' } } }, 'node_states.a.status'],
    ['version 2', { ...goRunState, version: 2 }, 'version'],
    ['a missing run_id', { ...goRunState, run_id: undefined }, 'run_id'],
    ['a timestamp that is not RFC 3339', { ...goRunState, updated_at: 'yesterday' }, 'updated_at'],
    ['negative visits', { ...goRunState, node_states: { a: { status: 'pending', visits: -1 } } }, 'node_states.a.visits'],
    ['a decision without action', { ...goRunState, decision_log: [{ timestamp: '2026-03-13T15:30:00Z', node: 'a' }] }, 'decision_log.0.action'],
  ])('rejects %s', (_label, value, path) => {
    const r = RunStateSchema.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

/** The transition rules as pure functions: every transition allowed and refused. */
import { describe, expect, it } from 'vitest';
import { TransitionError, UsageError } from '../../src/errors.js';
import { loadPreset } from '../../src/workflow/presets.js';
import type { RunState } from '../../src/workflow/schema.js';
import { applyTransition, enterNode, type TransitionAction, type TransitionRequest } from '../../src/workflow/transitions.js';

const template = loadPreset('branching');
const FILE = '.agents/workflow/runs/feat/r1.yaml';
const T0 = '2026-03-13T15:30:00Z';
let clock = Date.parse(T0);

/** A run-state right after `state init` of the branching preset. */
function fresh(): RunState {
  const state: RunState = {
    version: 1,
    run_id: 'r1',
    workflow_file: '.agents/workflow/feat.yaml',
    workflow_name: 'feat',
    status: 'ready',
    current_node: '',
    pending_confirmation: '',
    blocking_reason: '',
    role_worker_map: {},
    node_states: Object.fromEntries(template.nodes.map((n) => [n.id, { status: 'pending' as const }])),
    decision_log: [],
    created_at: T0,
    updated_at: T0,
  };
  enterNode(state, template.entry, T0);
  return state;
}

type Extra = Partial<Omit<TransitionRequest, 'action' | 'node' | 'now' | 'stateFile'>>;

function step(state: RunState, action: TransitionAction, node: string, extra: Extra = {}): RunState {
  clock += 60_000;
  return applyTransition(state, template, { action, node, now: new Date(clock), stateFile: FILE, ...extra }).state;
}

/** The TransitionError thrown by a refused transition (fails the test if none is thrown). */
function refused(state: RunState, action: TransitionAction, node: string, extra: Extra = {}): TransitionError {
  try {
    step(state, action, node, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(TransitionError);
    expect((err as TransitionError).exitCode).toBe(1);
    return err as TransitionError;
  }
  throw new Error(`${action} ${node} was not refused`);
}

/** Walks the branching preset to `node` (dev-first path), without --force. */
function at(node: 'controller_dispatch' | 'dev_implement' | 'qa_verify' | 'controller_finish'): RunState {
  let s = step(step(fresh(), 'start', 'cto_breakdown'), 'complete', 'cto_breakdown');
  if (node === 'controller_dispatch') return s;
  s = step(s, 'confirm', 'controller_dispatch', { outcome: 'dev_first' });
  if (node === 'dev_implement') return s;
  s = step(step(s, 'start', 'dev_implement'), 'complete', 'dev_implement');
  if (node === 'qa_verify') return s;
  s = step(step(s, 'start', 'qa_verify'), 'complete', 'qa_verify', { outcome: 'passed' });
  return step(step(s, 'start', 'merge_code'), 'complete', 'merge_code'); // the preset merges the verified branch before the end
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('start', () => {
  it('marks the current node and the run running and is logged', () => {
    const s = step(fresh(), 'start', 'cto_breakdown', { worker: 'cto-001' });
    expect(s.status).toBe('running');
    expect(s.node_states.cto_breakdown).toMatchObject({ status: 'running', started_at: expect.any(String), worker: 'cto-001', visits: 1 });
    expect(s.decision_log).toEqual([expect.objectContaining({ node: 'cto_breakdown', action: 'start' })]);
  });

  it('clears a block', () => {
    const blocked = step(fresh(), 'block', 'cto_breakdown', { reason: 'no access' });
    const s = step(blocked, 'start', 'cto_breakdown');
    expect(s.status).toBe('running');
    expect(s.blocking_reason).toBe('');
    expect(s.node_states.cto_breakdown?.status).toBe('running');
  });

  it('keeps the first started_at when started again', () => {
    const once = step(fresh(), 'start', 'cto_breakdown');
    const twice = step(once, 'start', 'cto_breakdown');
    expect(twice.node_states.cto_breakdown?.started_at).toBe(once.node_states.cto_breakdown?.started_at);
  });

  it('is refused on a node that is not current, with the working command as hint', () => {
    const err = refused(fresh(), 'start', 'dev_implement');
    expect(err.code).toBe('not_current_node');
    expect(err.message).toMatch(/^node dev_implement is not the current node \(current: cto_breakdown\)/);
    // issue 10: a refusal for the wrong node points at `state next`, never at another node's transition
    expect(err.hint).toBe(`agent-team workflow state next ${FILE}`);
  });

  it('is refused on a node the template does not have, suggesting the closest id', () => {
    const err = refused(fresh(), 'start', 'cto_breakdwn');
    expect(err.code).toBe('unknown_node');
    expect(err.message).toContain('did you mean cto_breakdown?');
  });

  it('with --force moves out of order, and the move is logged as forced', () => {
    const s = step(fresh(), 'start', 'dev_implement', { force: true });
    expect(s.current_node).toBe('dev_implement');
    expect(s.status).toBe('running');
    expect(s.node_states.dev_implement).toMatchObject({ status: 'running', visits: 1 });
    expect(s.decision_log.at(-1)).toMatchObject({ node: 'dev_implement', action: 'start', forced: true });
  });

  it('on the current node with --force is not marked forced', () => {
    const s = step(fresh(), 'start', 'cto_breakdown', { force: true });
    expect(s.decision_log.at(-1)?.forced).toBeUndefined();
  });
});

describe('wait', () => {
  it('on a plain node: node and run waiting, reason recorded', () => {
    const s = step(fresh(), 'wait', 'cto_breakdown', { reason: 'worker busy' });
    expect(s.status).toBe('waiting');
    expect(s.pending_confirmation).toBe('');
    expect(s.node_states.cto_breakdown).toMatchObject({ status: 'waiting', summary: 'worker busy' });
    expect(s.decision_log.at(-1)).toMatchObject({ action: 'wait', summary: 'worker busy' });
  });

  it('on a node requiring confirmation: waiting_confirmation and pending_confirmation', () => {
    const s = step(at('controller_dispatch'), 'wait', 'controller_dispatch', { reason: 'review the split' });
    expect(s.status).toBe('waiting_confirmation');
    expect(s.pending_confirmation).toBe('controller_dispatch');
  });

  it('is refused without a reason', () => {
    expect(refused(fresh(), 'wait', 'cto_breakdown').code).toBe('missing_reason');
    expect(refused(fresh(), 'wait', 'cto_breakdown', { reason: '  ' }).code).toBe('missing_reason');
  });

  it('is refused on a node that is not current', () => {
    expect(refused(fresh(), 'wait', 'qa_verify', { reason: 'x' }).code).toBe('not_current_node');
  });
});

describe('block', () => {
  it('blocks node and run with the reason', () => {
    const waiting = step(at('controller_dispatch'), 'wait', 'controller_dispatch', { reason: 'r' });
    const s = step(waiting, 'block', 'controller_dispatch', { reason: 'CI is down' });
    expect(s.status).toBe('blocked');
    expect(s.blocking_reason).toBe('CI is down');
    expect(s.pending_confirmation).toBe('');
    expect(s.node_states.controller_dispatch?.status).toBe('blocked');
    expect(s.decision_log.at(-1)).toMatchObject({ action: 'block', summary: 'CI is down' });
  });

  it('is refused without a reason or on another node', () => {
    expect(refused(fresh(), 'block', 'cto_breakdown').code).toBe('missing_reason');
    expect(refused(fresh(), 'block', 'dev_fix', { reason: 'x' }).code).toBe('not_current_node');
  });
});

describe('complete', () => {
  it('completes the current node and enters its next node', () => {
    const s = step(step(fresh(), 'start', 'cto_breakdown'), 'complete', 'cto_breakdown', { worker: 'cto-001', summary: 'done' });
    expect(s.status).toBe('ready');
    expect(s.current_node).toBe('controller_dispatch');
    expect(s.node_states.cto_breakdown).toMatchObject({ status: 'completed', completed_at: expect.any(String), worker: 'cto-001', summary: 'done' });
    expect(s.node_states.controller_dispatch).toMatchObject({ status: 'pending', visits: 1 });
    expect(s.role_worker_map).toEqual({ cto: 'cto-001' });
    expect(s.decision_log.at(-1)).toMatchObject({ node: 'cto_breakdown', action: 'complete', next_node: 'controller_dispatch', summary: 'done' });
  });

  it('is refused on a node that requires confirmation, pointing at confirm', () => {
    const err = refused(at('controller_dispatch'), 'complete', 'controller_dispatch', { outcome: 'dev_first' });
    expect(err.code).toBe('requires_confirmation');
    // one line per outcome (a `a|b` line would be a pipe in bash): the hint is `state next`, the lines are details
    expect(err.hint).toBe(`agent-team workflow state next ${FILE}`);
    expect(err.details?.choices).toEqual([
      `agent-team workflow state confirm ${FILE} --node controller_dispatch --outcome test_first`,
      `agent-team workflow state confirm ${FILE} --node controller_dispatch --outcome dev_first`,
    ]);
  });

  it('is refused on a node that is not current, pointing at the current one', () => {
    const err = refused(fresh(), 'complete', 'qa_verify', { outcome: 'passed' });
    expect(err.code).toBe('not_current_node');
    expect(err.hint).toBe(`agent-team workflow state next ${FILE}`);
  });

  it('is refused for --next-node ghost', () => {
    const err = refused(step(fresh(), 'start', 'cto_breakdown'), 'complete', 'cto_breakdown', { nextNode: 'ghost' });
    expect(err.code).toBe('unknown_next_node');
    expect(err.message).toContain('ghost');
  });

  it('follows an existing --next-node instead of next', () => {
    const s = step(step(fresh(), 'start', 'cto_breakdown'), 'complete', 'cto_breakdown', { nextNode: 'qa_write_tests' });
    expect(s.current_node).toBe('qa_write_tests');
    expect(s.decision_log.at(-1)?.next_node).toBe('qa_write_tests');
  });

  it('on a branching node needs --outcome, and the error lists the labels', () => {
    const err = refused(step(at('qa_verify'), 'start', 'qa_verify'), 'complete', 'qa_verify');
    expect(err.code).toBe('missing_outcome');
    expect(err.message).toContain('passed, failed');
    expect(err.details).toMatchObject({ outcomes: ['passed', 'failed'] });
  });

  it('on a branching node refuses an unknown outcome, listing the labels', () => {
    const err = refused(step(at('qa_verify'), 'start', 'qa_verify'), 'complete', 'qa_verify', { outcome: 'pased' });
    expect(err.code).toBe('unknown_outcome');
    expect(err.message).toContain('did you mean passed?');
    expect(err.message).toContain('its outcomes are passed, failed');
  });

  it('on a node without branches refuses an outcome it cannot take (exit 2), naming the node, the outcome and the allowed ones; nothing changes', () => {
    const state = deepFreeze(step(fresh(), 'start', 'cto_breakdown'));
    let err: unknown;
    try {
      step(state, 'complete', 'cto_breakdown', { outcome: 'bogus' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).code).toBe('unknown_outcome');
    expect((err as UsageError).message).toBe('node cto_breakdown has no branches, so it takes no outcome "bogus": leave out --outcome, or give passed or failed (a check\'s result)');
    expect((err as UsageError).hint).toBe(`agent-team workflow state complete ${FILE} --node cto_breakdown`);
    expect(state.node_states.cto_breakdown?.status).toBe('running');
  });

  it('on a node without branches takes no outcome, or passed/failed (a check\'s result, which for_each aggregates)', () => {
    expect(step(step(fresh(), 'start', 'cto_breakdown'), 'complete', 'cto_breakdown').node_states.cto_breakdown?.outcome).toBeUndefined();
    expect(step(step(fresh(), 'start', 'cto_breakdown'), 'complete', 'cto_breakdown', { outcome: 'passed' }).node_states.cto_breakdown?.outcome).toBe('passed');
    expect(step(step(fresh(), 'start', 'cto_breakdown'), 'complete', 'cto_breakdown', { outcome: 'failed' }).current_node).toBe('controller_dispatch');
  });

  it('on a branching node follows the branch of the outcome', () => {
    const s = step(step(at('qa_verify'), 'start', 'qa_verify'), 'complete', 'qa_verify', { outcome: 'failed' });
    expect(s.current_node).toBe('dev_fix');
    expect(s.node_states.qa_verify?.outcome).toBe('failed');
  });
});

describe('confirm', () => {
  it('confirms a node that requires confirmation (action confirm)', () => {
    const s = step(at('controller_dispatch'), 'confirm', 'controller_dispatch', { outcome: 'test_first' });
    expect(s.current_node).toBe('qa_write_tests');
    expect(s.decision_log.at(-1)).toMatchObject({ node: 'controller_dispatch', action: 'confirm', outcome: 'test_first', next_node: 'qa_write_tests' });
  });

  it('is refused on a node without requires_confirmation, pointing at complete', () => {
    const err = refused(fresh(), 'confirm', 'cto_breakdown');
    expect(err.code).toBe('no_confirmation_required');
    expect(err.hint).toBe(`agent-team workflow state complete ${FILE} --node cto_breakdown`);
  });

  it('on the end node completes the run', () => {
    const s = step(at('controller_finish'), 'confirm', 'controller_finish', { summary: 'merged' });
    expect(s.status).toBe('completed');
    expect(s.current_node).toBe('');
    expect(s.node_states.controller_finish?.status).toBe('completed');
    const last = s.decision_log.at(-1);
    expect(last).toMatchObject({ node: 'controller_finish', action: 'confirm', summary: 'merged' });
    expect(last?.next_node).toBeUndefined();
  });
});

describe('a completed run', () => {
  const done = step(at('controller_finish'), 'confirm', 'controller_finish');
  it.each([
    ['start', 'controller_finish', {}],
    ['start', 'cto_breakdown', { force: true }],
    ['wait', 'controller_finish', { reason: 'x', force: true }],
    ['block', 'qa_verify', { reason: 'x', force: true }],
    ['complete', 'dev_fix', { force: true }],
    ['confirm', 'controller_finish', { force: true }],
  ] as [TransitionAction, string, Extra][])('refuses %s %s %o', (action, node, extra) => {
    const err = refused(done, action, node, extra);
    expect(err.code).toBe('run_completed');
    expect(err.hint).toContain('state init');
  });
});

describe('loops', () => {
  it('qa_verify → dev_fix → qa_verify re-enters without --force, counting visits and keeping history', () => {
    let s = step(at('qa_verify'), 'start', 'qa_verify');
    s = step(step(s, 'start', 'qa_verify'), 'complete', 'qa_verify', { outcome: 'failed', summary: '3 tests fail' });
    s = step(step(s, 'start', 'dev_fix'), 'complete', 'dev_fix');
    expect(s.current_node).toBe('qa_verify');
    const qa = s.node_states.qa_verify;
    expect(qa?.status).toBe('pending');
    expect(qa?.visits).toBe(2);
    expect(qa?.outcome).toBeUndefined();
    expect(qa?.completed_at).toBeUndefined();
    expect(qa?.history).toEqual([expect.objectContaining({ status: 'completed', outcome: 'failed', summary: '3 tests fail' })]);
    // second round: pass, with nothing forced anywhere
    s = step(step(s, 'start', 'qa_verify'), 'complete', 'qa_verify', { outcome: 'passed' });
    expect(s.current_node).toBe('merge_code');
    expect(s.node_states.qa_verify).toMatchObject({ status: 'completed', outcome: 'passed', visits: 2 });
    expect(s.node_states.dev_fix?.visits).toBe(1);
    expect(s.decision_log.some((e) => e.forced)).toBe(false);
  });

  it('a third visit keeps both earlier visits', () => {
    let s = at('qa_verify');
    for (let i = 0; i < 2; i++) {
      s = step(step(s, 'start', 'qa_verify'), 'complete', 'qa_verify', { outcome: 'failed', summary: `round ${i}` });
      s = step(step(s, 'start', 'dev_fix'), 'complete', 'dev_fix');
    }
    expect(s.node_states.qa_verify?.visits).toBe(3);
    expect(s.node_states.qa_verify?.history?.map((h) => h.summary)).toEqual(['round 0', 'round 1']);
    expect(s.node_states.dev_fix?.visits).toBe(2);
  });
});

describe('Go files', () => {
  it('a current node the Go version left `completed` (a loop it re-entered) is re-entered on its first transition', () => {
    const go = at('qa_verify');
    go.node_states.qa_verify = { status: 'completed', started_at: T0, completed_at: T0, outcome: 'failed', summary: 'login test fails' };
    const s = step(go, 'start', 'qa_verify');
    expect(s.node_states.qa_verify).toMatchObject({ status: 'running', visits: 2, history: [{ status: 'completed', outcome: 'failed', summary: 'login test fails' }] });
    expect(s.node_states.qa_verify?.outcome).toBeUndefined();
    expect(s.node_states.qa_verify?.started_at).not.toBe(T0);
    expect(s.decision_log.at(-1)?.forced).toBeUndefined();
  });

  it('a run-state with no node_states gets the node created on its first transition', () => {
    const go = { ...fresh(), node_states: {} };
    const s = step(go, 'start', 'cto_breakdown');
    expect(s.node_states.cto_breakdown?.status).toBe('running');
    const s2 = step(step(s, 'start', 'cto_breakdown'), 'complete', 'cto_breakdown');
    expect(s2.node_states.controller_dispatch).toMatchObject({ status: 'pending', visits: 1 });
  });
});

describe('a worker node that was never started (issue 10)', () => {
  it('complete and confirm are refused without --force, pointing at state next; the run is unchanged', () => {
    const input = deepFreeze(fresh());
    const err = refused(input, 'complete', 'cto_breakdown');
    expect(err).toMatchObject({ code: 'node_not_started', hint: `agent-team workflow state next ${FILE}` });
    const s = step(input, 'complete', 'cto_breakdown', { force: true });
    expect(s.current_node).toBe('controller_dispatch');
    expect(s.decision_log.at(-1)).toMatchObject({ action: 'complete', node: 'cto_breakdown' });
  });
});

describe('purity', () => {
  it('never mutates the input state, whether the transition applies or is refused', () => {
    const input = deepFreeze(step(at('qa_verify'), 'start', 'qa_verify'));
    const copy = structuredClone(input);
    const next = applyTransition(input, template, { action: 'complete', node: 'qa_verify', outcome: 'failed', now: new Date(), stateFile: FILE });
    expect(next.state).not.toBe(input);
    expect(next.state.current_node).toBe('dev_fix');
    expect(() => applyTransition(input, template, { action: 'complete', node: 'qa_verify', now: new Date(), stateFile: FILE })).toThrow(TransitionError);
    for (const action of ['start', 'wait', 'block'] as const) applyTransition(input, template, { action, node: 'qa_verify', reason: 'r', now: new Date(), stateFile: FILE });
    applyTransition(input, template, { action: 'start', node: 'dev_fix', force: true, now: new Date(), stateFile: FILE });
    expect(input).toEqual(copy);
  });

  it('appends exactly one decision per applied transition', () => {
    const s0 = fresh();
    const s1 = step(s0, 'start', 'cto_breakdown');
    const s2 = step(s1, 'wait', 'cto_breakdown', { reason: 'r' });
    const s3 = step(s2, 'complete', 'cto_breakdown');
    expect([s0, s1, s2, s3].map((s) => s.decision_log.length)).toEqual([0, 1, 2, 3]);
    expect(s3.decision_log.map((e) => e.action)).toEqual(['start', 'wait', 'complete']);
  });
});

/**
 * `workflow graph` of parallel runs: forks (`==>|fork|` edges), joins (labelled with what they wait
 * for), for_each nodes, and with a run-state every active node and the instances' progress. The preset
 * `parallel` validates and runs through fork/join/for_each states.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { overlayOf, renderGraph } from '../../src/workflow/graph.js';
import { loadPreset } from '../../src/workflow/presets.js';
import { transitionRun } from '../../src/workflow/state-service.js';
import { fixture, nodeOf, setupRun } from './support.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** The shared fork, its api a for_each over three items (two at once), ui without a task. */
const FORK = fixture('fork', (t) => {
  Object.assign(nodeOf(t, 'api'), { for_each: { items: ['a', 'b', 'c'], max_parallel: 2 }, task: 'Build {{item}}' });
  delete nodeOf(t, 'ui').task;
});

describe('workflow graph of parallel runs', () => {
  it('draws forks, joins and for_each nodes, and the progress of instances under a run-state', async () => {
    const run = setupRun('fork', FORK);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    await transitionRun(run.path, { action: 'start', node: 'api/2', worker: 'dev-002' }, run.dir);
    // worker nodes are started before they complete (node_not_started)
    await transitionRun(run.path, { action: 'start', node: 'api/1', worker: 'dev-001' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'api/1', worker: 'dev-001' }, run.dir);
    const { loadRun } = await import('../../src/workflow/state-service.js');
    const loaded = loadRun(run.path, run.dir);
    const template = loaded.template!.template;
    const overlay = overlayOf(loaded.state);
    expect(overlay.active).toEqual(['api', 'ui']);
    expect(overlay.instances).toEqual({ api: { total: 3, done: 1, active: 1 } });

    const mermaid = renderGraph(template, 'mermaid', overlay);
    expect(mermaid).toContain('split ==>|fork| api');
    expect(mermaid).toContain('split ==>|fork| ui');
    expect(mermaid).toContain('join: after api, ui');
    expect(mermaid).toContain('for each: 3 items (max 2 at once)');
    expect(mermaid).toContain('instances api/1..3: 1 done, 1 at work');
    expect(mermaid).toContain('class api,ui current');
    expect(mermaid).toContain('class integrate join');

    const dot = renderGraph(template, 'dot', overlay);
    expect(dot).toContain('"split" -> "api" [label="fork", penwidth=2];');
    expect(dot).toMatch(/"api" \[label="api\\nassign_role_task \(dev\)\\nfor each: 3 items \(max 2 at once\)\\ninstances api\/1\.\.3: 1 done, 1 at work", style=filled/);
  });

  it('the parallel preset has the breakdown, for_each, join, verification and merge train', () => {
    const t = loadPreset('parallel');
    const byId = new Map(t.nodes.map((n) => [n.id, n]));
    expect(byId.get('dev_implement')?.for_each?.items).toBe('{{nodes.cto_breakdown.summary}}');
    expect(byId.get('implemented')?.after).toEqual(['dev_implement']);
    expect(byId.get('merge_all')?.type).toBe('merge');
    expect(byId.get('merge_all')?.command).toBeDefined();
    // QA verifies the delivered tasks together: every instance's branch merged into its own
    expect(byId.get('qa_verify')?.builds_on).toEqual(['dev_implement']);
    expect(t.params?.requirement).toMatchObject({ type: 'string', required: true });
    expect(byId.get('cto_breakdown')?.task).toContain('{{params.requirement}}');
  });

  it('a run of the parallel preset fans out one instance per task line', async () => {
    const { readFileSync } = await import('node:fs');
    const { PRESETS_DIR } = await import('../../src/workflow/presets.js');
    const run = setupRun('parallel', readFileSync(`${PRESETS_DIR}parallel.yaml`, 'utf8'), { requirement: 'Sessions for the app' });
    cleanup = run.cleanup;
    // worker nodes are started before they complete (node_not_started)
    await transitionRun(run.path, { action: 'start', node: 'cto_breakdown', worker: 'cto-001' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'cto_breakdown', worker: 'cto-001', summary: 'login form\nlogout button\nsession expiry\nremember me' }, run.dir);
    const s = run.state();
    expect(s.active_nodes).toEqual(['dev_implement/1', 'dev_implement/2', 'dev_implement/3', 'dev_implement/4']);
  });
});

/** `max_visits` (issue 9 item 6): entering a node one more time than it allows blocks the run with its visit history. */
import { afterEach, describe, expect, it } from 'vitest';
import { initRun, transitionRun } from '../../src/workflow/state-service.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

const LOOP = `version: 1
name: loop
roles:
    dev: { role: dev }
    qa: { role: qa }
entry: qa_verify
nodes:
    - id: qa_verify
      type: verify_or_test
      actor: qa
      branches:
          - { when: passed, next: done }
          - { when: failed, next: dev_fix }
    - id: dev_fix
      type: assign_role_task
      actor: dev
      max_visits: 2
      next: qa_verify
    - id: done
      type: controller_task
      end: true
`;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('max_visits', () => {
  it('blocks the run on the (N+1)th entry, naming the earlier visits; the person may start it again', async () => {
    const repo = tempRepo();
    cleanup = repo.cleanup;
    writeFile(repo.dir, '.agents/workflow/loop.yaml', LOOP);
    const { path } = initRun({ workflowFile: '.agents/workflow/loop.yaml', cwd: repo.dir, runId: 'r' });
    const move = (action: 'complete' | 'start', node: string, extra: Record<string, string> = {}) => transitionRun(path, { action, node, ...extra }, repo.dir);
    // a worker node is started before it is completed (a never-started one is refused: issue 10)
    const finish = async (node: string, extra: Record<string, string> = {}) => {
      await move('start', node);
      return move('complete', node, extra);
    };
    for (let round = 1; round <= 2; round++) {
      await finish('qa_verify', { outcome: 'failed', summary: `round ${round} failed` });
      const r = await finish('dev_fix', { worker: 'dev-001', summary: `fix ${round}` });
      expect(r.state.status).toBe('ready');
    }
    const third = await finish('qa_verify', { outcome: 'failed', summary: 'round 3 failed' });
    expect(third.state.status).toBe('blocked');
    expect(third.state.current_node).toBe('dev_fix');
    expect(third.state.node_states.dev_fix).toMatchObject({ status: 'blocked', visits: 3 });
    expect(third.state.blocking_reason).toBe('node dev_fix was entered 3 times (max_visits 2); earlier visits: visit 1: completed by dev-001: fix 1; visit 2: completed by dev-001: fix 2');
    const restarted = await move('start', 'dev_fix');
    expect(restarted.state.status).toBe('running');
  });
});

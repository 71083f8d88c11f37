/**
 * Plan pieces several node types share: a worker's recorded reply, a worker's task, a check command and
 * the controller's own judgement. Pure: they read the {@link PlanContext} and return a {@link Step}.
 */
import { agentTeam } from '../shell-quote.js';
import { formatDuration, overdue, overdueAt } from '../overdue.js';
import { buildsOnBranches, missingEvidence } from './flow.js';
import { chooseWorker, type WorkerChoice } from '../worker-choice.js';
import { finishLine, UNBRANCHED_OUTCOMES } from '../transitions.js';
import { assignmentText, blockLine, reassignLine, startLine, waitLine } from './lines.js';
import type { Choice, PlanContext, Step } from './step.js';

/** One choice per outcome of the node (or one plain finish line when it has none). */
export function choicesFor(ctx: PlanContext, worker: string | null, summary: string): Choice[] {
  const { stateFile, node, outcomes } = ctx;
  if (outcomes.length === 0) return [{ outcome: '', command: finishLine(stateFile, node, { worker, summary }) }];
  return outcomes.map((outcome) => ({ outcome, command: finishLine(stateFile, node, { outcome, worker, summary }) }));
}

/** What a worker must do to end its step: commit, then `reply-main` (with an outcome when the node branches). Prose, not a command line. */
function replyDone(ctx: PlanContext, id: string): string {
  return `${id} commits and reports with reply-main${ctx.outcomes.length ? `, giving one of the outcomes ${ctx.outcomes.join(', ')}` : ''}`;
}

/**
 * A worker replied on a running or waiting node: the transition the reply asks for (complete, block), or
 * the controller's decision when the reply needs input, lacks a usable outcome or needs confirmation.
 * Returns undefined when there is no reply to act on.
 */
export function planReply(ctx: PlanContext): Step | undefined {
  const { ns, node, outcomes, stateFile } = ctx;
  const reply = ns.reply;
  if (!reply || (ns.status !== 'waiting' && ns.status !== 'running')) return undefined;
  // an answered question asks nothing more: the node waits for the worker's next reply
  if (reply.status === 'needs-input' && reply.answered_at !== undefined) return undefined;
  if (reply.status === 'blocked') {
    // the printed line and the loop record the same reason: who is blocked, in the worker's words
    const reason = `${reply.worker}: ${reply.message}`;
    return ctx.step('act', `${reply.worker} reports it is blocked: ${reply.message}`, { commands: [blockLine(stateFile, node, reason)], done_when: 'the run is marked blocked' }, {
      kind: 'stop',
      stopped: 'blocked',
      why: `${reply.worker} reported it is blocked`,
      moves: [{ action: 'block', node: node.id, reason }],
      record: { action: 'block', detail: `${reply.worker} is blocked: ${reply.message}` },
    });
  }
  const usable = reply.status === 'done' && (outcomes.length === 0 || (reply.outcome !== undefined && outcomes.includes(reply.outcome)));
  const missing = usable ? missingEvidence(node, ns, reply) : [];
  if (missing.length > 0) {
    const ask = `Your reply on ${node.id} cannot count yet: ${missing.join('; ')}. Commit your work (git add, git commit), then run agent-team reply-main again.`;
    return ctx.step('decide', `${reply.worker} replied done on ${node.id} (requires_commits), but: ${missing.join('; ')}`, {
      commands: [agentTeam('reply', reply.worker, ask)],
      choices: [],
      done_when: `${reply.worker} committed and replied again`,
    }, { kind: 'stop', stopped: 'decision', why: `${reply.worker}'s done reply on ${node.id} lacks evidence: ${missing.join('; ')}` });
  }
  if (usable && !node.requires_confirmation) {
    // a node without branches takes only passed/failed: another word the worker gave is left out, not refused
    const outcome = outcomes.length > 0 || (reply.outcome !== undefined && UNBRANCHED_OUTCOMES.includes(reply.outcome)) ? reply.outcome : undefined;
    return ctx.step('act', `${reply.worker} finished: ${reply.message}`, {
      commands: [finishLine(stateFile, node, { outcome, worker: reply.worker, summary: reply.message })],
      done_when: `node ${node.id} is completed`,
    }, {
      kind: 'advance',
      moves: [{ action: 'complete', node: node.id, outcome, worker: reply.worker, summary: reply.message }],
      record: { action: 'complete', detail: `${reply.worker} finished${outcome ? ` (${outcome})` : ''}: ${reply.message}` },
    });
  }
  if (reply.status === 'needs-input') {
    // answering comes first; closing the node instead needs the controller's own summary, never the worker's question
    const answer = agentTeam('reply', reply.worker, '<answer>');
    return ctx.step('decide', `${reply.worker} needs input: ${reply.message}`, {
      reply_template: answer,
      choices: [{ outcome: 'answer', command: answer }, ...choicesFor(ctx, reply.worker, '<summary>')],
      done_when: `you answered ${reply.worker} (the answer is recorded on the run); it goes on and replies again with reply-main`,
    }, { kind: 'stop', stopped: 'decision', why: `${reply.worker} needs input: ${reply.message}` });
  }
  const choices = choicesFor(ctx, reply.worker, reply.message);
  if (usable) {
    const reason = `${reply.worker} finished: ${reply.message}`;
    return ctx.step('confirm', `${reply.worker} finished (${reply.message}); node ${node.id} requires confirmation`, { choices, done_when: 'the controller (or the person, for confirmations) chose' }, {
      kind: 'stop',
      stopped: 'confirmation',
      why: `node ${node.id} requires confirmation: ${reason}`,
      moves: ns.status === 'waiting' ? [] : [{ action: 'wait', node: node.id, reason }],
    });
  }
  return ctx.step('decide', `${reply.worker} replied without a usable outcome (${reply.outcome ?? 'none'}; expected one of ${outcomes.join(', ')}): ${reply.message}`, {
    choices,
    done_when: 'the controller (or the person, for confirmations) chose',
  }, { kind: 'stop', stopped: 'decision', why: `${reply.worker} replied without one of the outcomes ${outcomes.join(', ')} (got ${reply.outcome ?? 'none'}): the controller decides` });
}

/**
 * While a node waits on worker `id`, what its activity says (issue 8): `idle` without a reply — it
 * finished its turn without replying: the `reply` that asks for one; `needs-input`/`attention` — stop for
 * the controller with the pane's last lines and the command that shows the pane; `rate-limited` — wait.
 * Undefined when the activity asks nothing of the controller.
 */
export function planActivity(ctx: PlanContext, id: string): Step | undefined {
  const { node, lookup } = ctx;
  const activity = lookup.activity?.(id);
  const detail = lookup.activityDetail?.(id);
  const reason = detail?.reason ? ` (${detail.reason})` : '';
  if (activity === 'idle') {
    const ask = agentTeam('reply', id, `You finished your turn without replying on ${node.id}: commit your work, then run agent-team reply-main "Task completed: <summary>"${ctx.outcomes.length ? ` --outcome ${ctx.outcomes.join('|')}` : ''}, or reply-main "Blocked: <why>" --status blocked`);
    return ctx.step('wait', `${id} finished its turn without replying on ${node.id}; ask it for a reply`, {
      commands: [ask],
      done_when: replyDone(ctx, id),
      choices: choicesFor(ctx, id, '<summary>'),
    }, { kind: 'stop', stopped: 'waiting', why: `${id} finished its turn without replying on ${node.id}` });
  }
  if (activity === 'needs-input' || activity === 'attention') {
    const screen = detail?.screen?.length ? `; its pane shows:\n${detail.screen.slice(-8).join('\n')}` : '';
    const what = activity === 'attention' ? `${id} needs you${reason}: agent-team never answers such a screen` : `${id} waits for input${reason}`;
    return ctx.step('decide', `${what}${screen}`, {
      commands: detail?.attach ? [detail.attach] : [],
      done_when: `you answered ${id} in its pane; it goes on working`,
    }, { kind: 'stop', stopped: 'decision', why: `${what}` });
  }
  if (activity === 'rate-limited') {
    return ctx.step('wait', `${id} is rate-limited${reason}; waiting until it can go on`, { commands: [], done_when: replyDone(ctx, id) }, { kind: 'stop', stopped: 'waiting', why: `${id} is rate-limited${reason}` });
  }
  return undefined;
}

/**
 * A task done by a worker (assign_role_task, handoff, verify_or_test without a command): the worker
 * {@link chooseWorker} picks, opened, started, assigned, waited on; or, while waiting, the wait (and
 * reopening a worker whose agent stopped, giving its task again).
 */
export function planWorkerTask(ctx: PlanContext): Step {
  const { state, template, node, ns, role, lookup, stateFile, started } = ctx;
  const text = assignmentText(template, node, state);
  const assignment = ns.assignment;
  // This visit was assigned (recorded before anything was typed): never assign it again.
  if (assignment && (ns.status === 'running' || ns.status === 'waiting')) return planAssigned(ctx, assignment.worker, assignment.change, text);
  // A run paused by the Go version: waiting, with no worker recorded on the node.
  if (ns.status === 'waiting' && !ns.worker) {
    const known = node.actor ? state.role_worker_map[node.actor] : undefined;
    if (known && lookup.exists(known)) return planAssigned(ctx, known, undefined, text);
    const task = ctx.task ?? '';
    const matching = role && task ? (lookup.workersOf?.(role) ?? []).filter((w) => lookup.openChanges?.(w).some((c) => c.description.trim() === task.trim() || c.description.includes(task.trim()))) : [];
    if (matching.length === 1) return planAssigned(ctx, matching[0] as string, undefined, text);
    const candidates = matching.length > 1 ? matching : role ? (lookup.workersOf?.(role) ?? []) : [];
    const why = `node ${node.id} waits on a worker this run did not record (a run paused by the Go version)${candidates.length ? `: candidates ${candidates.join(', ')}` : ''}; name the worker`;
    return ctx.step('decide', why, {
      commands: [],
      choices: candidates.map((w) => ({ outcome: w, command: waitLine(stateFile, node, `waiting for ${w}`, w) })),
      done_when: 'the worker doing the node is recorded (state wait --worker); then ask next again',
    }, { kind: 'stop', stopped: 'decision', why });
  }
  const choice: WorkerChoice = chooseWorker(state, template, node, lookup, role ? lookup.idle?.(role) : undefined);
  if (choice.kind === 'none') {
    // `workflow run` still looks for an idle worker (reuse_worker) before giving up
    const mayReuse = role !== null && template.defaults?.reuse_worker !== false && lookup.idle === undefined;
    return ctx.step('decide', choice.reason, {
      commands: role ? [agentTeam('worker', 'create', role, '--yes')] : [],
      done_when: 'a worker of the role exists; then ask next again',
    }, mayReuse ? { kind: 'assign', text, buildsOn: buildsOnBranches(state, node, null) } : { kind: 'stop', stopped: 'decision', why: choice.reason });
  }
  const id = choice.id;
  if (ns.status === 'waiting' && choice.kind === 'existing') {
    // a run written before assignments were recorded: a stopped worker lost its task with its pane
    const stopped = lookup.running?.(id) === false;
    const byActivity = stopped ? undefined : planActivity(ctx, id);
    if (byActivity) return byActivity;
    const late = stopped ? undefined : planOverdue(ctx, id);
    if (late) return late;
    const due = overdueAt(node, ns);
    return ctx.step('wait', `waiting for ${id} to finish ${node.id}`, {
      commands: stopped ? [agentTeam('worker', 'open', id), agentTeam('worker', 'assign', id, text)] : [],
      ...(due !== undefined ? { overdue_at: new Date(due).toISOString() } : {}),
      // no completion lines while the worker works: its reply completes the node (workflow run --wait)
      done_when: replyDone(ctx, id),
    }, {
      kind: 'resume',
      ...(stopped ? { reopen: id, reassign: text, detail: `${id} had stopped: reopened in its worktree and given ${node.id} again` } : {}),
      why: `waiting for ${id} to reply on ${node.id}`,
    });
  }
  const buildsOn = buildsOnBranches(state, node, id);
  const commands: string[] = [];
  if (choice.kind === 'create') commands.push(agentTeam('worker', 'create', role ?? 'worker', '--yes'));
  commands.push(agentTeam('worker', 'open', id));
  if (!started) commands.push(startLine(stateFile, node, id));
  commands.push(agentTeam('worker', 'assign', id, text, ...buildsOn.flatMap((b) => ['--builds-on', b])));
  commands.push(waitLine(stateFile, node, `waiting for ${id}`, id));
  const who = choice.kind === 'create' ? `a new ${role} worker (${id})` : id;
  const on = buildsOn.length ? ` on top of ${buildsOn.join(', ')}` : '';
  return ctx.step('act', `${node.type === 'handoff' ? 'hand' : 'give'} ${node.id} to ${who}${on}`, { commands, done_when: replyDone(ctx, id) }, { kind: 'assign', text, buildsOn });
}

/**
 * `timeout:` on a worker node whose visit `worker` has had for too long: the controller nudges the
 * worker (`reply`) or takes the node from it (`state reassign`: recorded in the run-state, its change
 * superseded; `workflow run` then gives it to another worker). Undefined when the visit is not overdue.
 */
function planOverdue(ctx: PlanContext, worker: string): Step | undefined {
  const { node, ns, stateFile } = ctx;
  const late = overdue(node, ns);
  if (!late) return undefined;
  const why = `${node.id} is overdue: ${worker} has had it for ${formatDuration(late.elapsedMs)} (timeout ${node.timeout})`;
  const nudge = agentTeam('reply', worker, `${node.id} is past its timeout of ${node.timeout}: finish, or reply-main with what blocks you`);
  return ctx.step('decide', why, {
    choices: [
      { outcome: 'reply', command: nudge },
      { outcome: 'reassign', command: reassignLine(stateFile, node.id, `overdue: ${worker} had it for ${formatDuration(late.elapsedMs)} (timeout ${node.timeout})`) },
    ],
    commands: [],
    done_when: `${worker} replies, or the node is reassigned (then workflow run gives it to another worker)`,
  }, { kind: 'stop', stopped: 'decision', why });
}

/**
 * A visit already given to `worker` (recorded assignment, or a Go run's known worker): wait for its
 * reply — or say what the worker's activity asks (idle without a reply, a dialog) or that it is overdue;
 * `state wait` first when the visit is still `running` (a crash between assign and wait); when its
 * agent stopped, reopen it and give it the same change again (never a new one).
 */
function planAssigned(ctx: PlanContext, worker: string, change: string | undefined, text: string): Step {
  const { node, ns, lookup, stateFile } = ctx;
  const stopped = lookup.running?.(worker) === false;
  const commands: string[] = [];
  if (stopped) commands.push(agentTeam('worker', 'open', worker));
  if (stopped) commands.push(agentTeam('worker', 'assign', worker, text, ...(change ? ['--change', change] : [])));
  const moves = ns.status === 'waiting' ? [] : [{ action: 'wait' as const, node: node.id, worker, reason: `waiting for ${worker}` }];
  // typed but never confirmed delivered (the CLI typing it was killed): finish that delivery, exactly once
  if (!stopped && change && lookup.undelivered?.(worker, change)) {
    const redeliver = agentTeam('worker', 'assign', worker, text, '--change', change);
    const wait = moves.length ? [waitLine(stateFile, node, `waiting for ${worker}`, worker)] : [];
    return ctx.step('act', `give ${worker} ${change} again: it was typed into its agent but never confirmed delivered (the command typing it stopped); the text still in its input box is submitted, else typed again`, {
      commands: [redeliver, ...wait],
      done_when: replyDone(ctx, worker),
    }, { kind: 'resume', moves, redeliver: { worker, change, text }, why: `waiting for ${worker} to reply on ${node.id}` });
  }
  // while it waits on a running worker: what its activity asks of the controller, then its timeout
  const byActivity = stopped || moves.length ? undefined : planActivity(ctx, worker);
  if (byActivity) return byActivity;
  const late = stopped || moves.length ? undefined : planOverdue(ctx, worker);
  if (late) return late;
  if (moves.length) commands.push(waitLine(stateFile, node, `waiting for ${worker}`, worker));
  const answered = ns.reply?.status === 'needs-input' && ns.reply.answer !== undefined ? `; you answered its question (${ns.reply.answer}), it replies again with reply-main` : '';
  const due = overdueAt(node, ns);
  return ctx.step(moves.length ? 'act' : 'wait', `${moves.length ? `record that ${node.id} waits on ${worker}` : `waiting for ${worker} to finish ${node.id}`}${change ? ` (${change})` : ''}${answered}${stopped ? `; ${worker}'s agent stopped: reopen it and give it the same change again` : ''}`, {
    commands,
    ...(due !== undefined ? { overdue_at: new Date(due).toISOString() } : {}),
    // no completion lines while the worker works: its reply completes the node (workflow run --wait)
    done_when: replyDone(ctx, worker),
  }, {
    kind: 'resume',
    moves,
    ...(stopped ? { reopen: worker, ...(change ? { resend: { change, text } } : { reassign: text }), detail: `${worker} had stopped: reopened in its worktree and given ${change ?? node.id} again` } : {}),
    why: `waiting for ${worker} to reply on ${node.id}`,
  });
}

/**
 * A worker already doing something (wait_for_completion): wait for its reply; a worker whose agent
 * stopped is reopened in its worktree (nothing is assigned again).
 */
export function planWaitForWorker(ctx: PlanContext): Step {
  const { node, ns, lookup, role, assigned, stateFile } = ctx;
  const worker = assigned && lookup.exists(assigned) ? assigned : null;
  const id = worker ?? assigned ?? lookup.nextId(role ?? 'worker');
  const stopped = worker !== null && lookup.running?.(worker) === false;
  const resume = {
    kind: 'resume' as const,
    ...(stopped ? { reopen: worker as string, detail: `${worker} had stopped: reopened in its worktree` } : {}),
    why: `waiting for ${assigned ?? node.actor} to reply on ${node.id}`,
  };
  if (ns.status === 'waiting') {
    const byActivity = stopped || worker === null ? undefined : planActivity(ctx, id);
    if (byActivity) return byActivity;
    return ctx.step('wait', `waiting for ${id} to finish`, {
      commands: stopped ? [agentTeam('worker', 'open', id)] : [],
      done_when: replyDone(ctx, id),
    }, resume);
  }
  const reason = `waiting for ${assigned ?? node.actor}`;
  return ctx.step('act', `wait for ${id} to finish its current work`, { commands: [waitLine(stateFile, node, `waiting for ${id}`, id)], done_when: replyDone(ctx, id) }, {
    ...resume,
    moves: [{ action: 'wait', node: node.id, reason, ...(assigned ? { worker: assigned } : {}) }],
  });
}

/** A node with a `command:` (verify_or_test, controller_task): `workflow run` runs it; exit 0 → passed. */
export function planCheck(ctx: PlanContext): Step {
  const { node, ns, template, assigned, stateFile, started, outcomes } = ctx;
  const command = ctx.command as string;
  if (node.requires_confirmation && ns.status === 'waiting') {
    return ctx.step('confirm', `node ${node.id} ran \`${command}\` and requires a person's confirmation: ${ns.summary ?? ''}`, {
      choices: choicesFor(ctx, null, '<summary>'),
      done_when: 'the person approves the result',
    }, { kind: 'stop', stopped: 'confirmation', why: `node ${node.id} requires confirmation of its check: ${ns.summary ?? ''}` });
  }
  const action = { kind: 'check' as const, command, worker: assigned, start: ns.status === 'pending', buildsOn: buildsOnBranches(ctx.state, node, assigned) };
  if ((template.defaults?.execution_mode ?? 'semi_auto') === 'manual') {
    // `workflow run` only prints in manual mode: the controller runs the check and records its result
    const where = assigned ? `${assigned}'s worktree (.worktrees/${assigned})` : 'the repository root';
    return ctx.step('decide', `run the check \`${command}\` yourself in ${where} (execution_mode is manual): exit 0 → passed, otherwise failed`, {
      commands: started ? [] : [startLine(stateFile, node)],
      choices: choicesFor(ctx, null, '<summary>'),
      done_when: outcomes.length ? 'the check ran: choose passed on exit 0, failed otherwise' : 'the check ran: complete on exit 0, otherwise block the node',
    }, action);
  }
  return ctx.step('act', `run the check \`${command}\``, {
    commands: [agentTeam('workflow', 'run', stateFile)],
    done_when: 'the check ran: exit 0 → outcome passed, otherwise failed (workflow run records it)',
  }, action);
}

/** controller_task and decision without a command: the controller's own judgement (or a person's confirmation). */
export function planJudgement(ctx: PlanContext): Step {
  const { node, ns, stateFile, started } = ctx;
  const commands = started ? [] : [startLine(stateFile, node)];
  const confirm = node.requires_confirmation === true;
  if (confirm && ns.status !== 'waiting') commands.push(waitLine(stateFile, node, 'awaiting confirmation'));
  const reason = ctx.task ?? node.id;
  return ctx.step(confirm ? 'confirm' : 'decide', confirm ? `node ${node.id} needs a person's confirmation: ${reason}` : `the controller does ${node.id}: ${reason}`, {
    commands,
    choices: choicesFor(ctx, null, '<summary>'),
    done_when: confirm ? 'the person approved (ask them; never confirm on your own)' : node.type === 'decision' ? 'the controller chose an outcome' : 'the controller finished the task',
  }, confirm
    ? { kind: 'stop', stopped: 'confirmation', why: `node ${node.id} requires confirmation: ${reason}`, moves: ns.status === 'waiting' ? [] : [{ action: 'wait', node: node.id, reason }] }
    : { kind: 'stop', stopped: 'decision', why: `node ${node.id} (${node.type}) is the controller's: ${ctx.task ?? ''}` });
}

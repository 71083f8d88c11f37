/**
 * Delivery that is checked. A first task on the launch command line counts as delivered when the agent
 * reports the prompt (`prompt-submit`/`busy`, or it is already `working`/`idle`). A typed task is typed
 * only when the agent is `ready` or `idle` (waiting, bounded, while it starts), never while a recognised
 * dialog is on screen; Enter follows after the adapter's paste-to-Enter delay; it counts as delivered
 * only when the agent confirms it within the bound: a prompt event, or — for adapters whose hooks report
 * no prompt (agy, plain providers) — the typed text left the agent's input box (input-box.ts). Otherwise
 * {@link NotDeliveredError} with the pane's last lines. The process backend has no terminal (nothing is
 * echoed), so there a typed task for such an adapter stays `typed`, unconfirmed.
 */
import { OperationError } from '../errors.js';
import type { ProviderAdapter } from '../provider/index.js';
import type { SessionBackend } from '../session/backend.js';
import { recogniseDialog, type ActivityInfo } from './activity.js';
import { inputBoxHolds, textAtEnd, inputFootprint, stillInInput, watchedLines, type FootprintLine } from './input-box.js';
import { pauseForTest } from './test-pause.js';
import { readEvents } from './events.js';
import { currentActivity, startBound } from './launch.js';
import { assertAgentInPane } from './preflight.js';
import { paneOwner } from './session.js';
import { EVENT_PACE, PACE, pacedWait, type Pace } from './paced-wait.js';
import { workerPaths } from './paths.js';

/** Default bound on the agent confirming a prompt, ms (`AGENT_TEAM_DELIVERY_TIMEOUT_MS` overrides). */
export const DELIVERY_BOUND_MS = 15_000;

/**
 * How a task reached the agent: `confirmed` by its prompt event; `submitted` — the typed text left its
 * input box (an agent without prompt events); only `typed` — nothing could be checked (no events and no
 * terminal: the process backend).
 */
export type Delivery = 'confirmed' | 'submitted' | 'typed';

/** Lines captured to find the input box (the same count before and after typing). */
const INPUT_CAPTURE_LINES = 80;
/** Bound on typed text showing in the pane before Enter, ms (capped by the delivery bound). */
const ECHO_BOUND_MS = 3000;

/** The task did not reach the agent: exit 1, code `not_delivered`; `details` carry activity and screen. */
export class NotDeliveredError extends OperationError {
  constructor(message: string, info: { workerId: string; activity?: ActivityInfo; screen: string[]; attach: string }) {
    super(`${message}\n${info.screen.length ? `--- last lines of ${info.workerId}'s pane ---\n${info.screen.join('\n')}` : `(${info.workerId}'s pane shows nothing)`}`, {
      code: 'not_delivered',
      hint: info.attach,
      details: { worker: info.workerId, activity: info.activity?.activity, dialog: info.activity?.dialog, screen: info.screen },
    });
  }
}

/** The backend's command that shows a worker's pane (`tmux attach -t …`, `tail -f <log>`…), else `agent-team worker status`. */
async function attachHint(backend: SessionBackend, paneId: string): Promise<string> {
  return (await backend.attachCommand(paneId).catch(() => undefined)) ?? 'agent-team worker status';
}

function deliveryBound(override?: number, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.AGENT_TEAM_DELIVERY_TIMEOUT_MS);
  return override ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DELIVERY_BOUND_MS);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the delivery functions need. */
export interface DeliveryContext {
  root: string;
  id: string;
  adapter: ProviderAdapter;
  backend: SessionBackend;
  paneId: string;
  env?: NodeJS.ProcessEnv;
  /** Bounds in ms: the agent becoming ready, and it confirming the prompt. */
  startTimeoutMs?: number;
  deliveryTimeoutMs?: number;
  /** Called once the text is in the pane, before Enter (the caller records it: a pipe shows no input box). */
  onTyped?: () => void;
  /** Called just before Enter is sent after the typed text (the caller records the delivery as `entered`). */
  onEnter?: () => void;
}

/** Whether an event after `sinceMs` says the agent took a prompt. */
function promptSeen(root: string, id: string, sinceMs: number): boolean {
  return readEvents(root, id).some((e) => (e.event === 'prompt-submit' || e.event === 'busy') && Date.parse(e.at) >= sinceMs);
}

async function fail(ctx: DeliveryContext, message: string, activity?: ActivityInfo): Promise<never> {
  const screen = activity?.screen ?? (await ctx.backend.capture(ctx.paneId, 15).catch(() => []));
  throw new NotDeliveredError(message, { workerId: ctx.id, activity, screen: screen.slice(-15), attach: await attachHint(ctx.backend, ctx.paneId) });
}

/**
 * Confirms a first task given on the launch command line (launched at `launchedAtMs`): waits until a
 * prompt event arrives or the agent is working/idle. Throws {@link NotDeliveredError} when a dialog,
 * an exit or the bound comes first. Returns `typed` for adapters whose hooks cannot confirm.
 */
export async function confirmLaunchTask(ctx: DeliveryContext, launchedAtMs: number): Promise<Delivery> {
  const deadline = Date.now() + startBound(ctx.adapter, ctx.startTimeoutMs, ctx.env) + deliveryBound(ctx.deliveryTimeoutMs, ctx.env);
  let info: ActivityInfo | undefined;
  const verdict = await paced(ctx, deadline, async () => {
    if (ctx.adapter.confirmsPrompt && promptSeen(ctx.root, ctx.id, launchedAtMs)) return 'confirmed';
    info = await currentActivity(ctx.root, ctx.id, ctx.adapter, ctx.backend, ctx.paneId);
    if (info.activity === 'working' || info.activity === 'idle') return ctx.adapter.confirmsPrompt ? 'confirmed' : 'typed';
    if (info.activity === 'attention' || info.activity === 'exited' || info.activity === 'needs-input') return 'refused';
    if (!ctx.adapter.confirmsPrompt && info.activity === 'ready') return 'typed';
    return undefined;
  });
  if (verdict === 'refused' && info) return fail(ctx, `the task did not reach ${ctx.id}: ${describe(info)}`, info);
  if (verdict === undefined || verdict === 'refused') {
    return fail(ctx, `the task did not reach ${ctx.id}: the agent did not confirm it within ${Math.round((deadline - launchedAtMs) / 1000)} s (activity: ${info?.activity})`, info);
  }
  return verdict;
}

/**
 * {@link pacedWait} on the worker's folder (its events): `check` again when it changes, else at a paced
 * interval ({@link EVENT_PACE} unless told), until `deadline` (ms since the epoch); undefined when the
 * deadline passed.
 */
function paced<T>(ctx: DeliveryContext, deadline: number, check: () => Promise<T | undefined>, pace: Pace = EVENT_PACE): Promise<T | undefined> {
  return pacedWait(check, { folders: [workerPaths(ctx.root, ctx.id).dir], deadline, pace });
}

function describe(info: ActivityInfo): string {
  if (info.activity === 'attention') return `${info.reason ?? info.dialog?.name ?? 'it needs attention'} (agent-team never answers it; attach and answer it yourself)`;
  if (info.activity === 'exited') return 'the agent exited';
  if (info.activity === 'needs-input') return `it waits for input (${info.reason ?? 'a question'})`;
  return `it is ${info.activity}`;
}

/** Throws OperationError `not_agent` unless a program other than a shell holds the worker's pane (preflight.ts). */
async function inPane(ctx: DeliveryContext): Promise<void> {
  await assertAgentInPane(ctx.backend, ctx.paneId, paneOwner(ctx.root, ctx.id), `worker ${ctx.id}`, `agent-team worker close ${ctx.id} && agent-team worker open ${ctx.id}, then assign again`);
}

/**
 * Types `text` into a running agent and confirms it (see the module comment). Waits (bounded) while the
 * agent is `starting` or `working`; refuses at once for attention, needs-input and exited.
 */
export async function deliverTyped(ctx: DeliveryContext, text: string): Promise<Delivery> {
  const readyBy = Date.now() + startBound(ctx.adapter, ctx.startTimeoutMs, ctx.env);
  let info: ActivityInfo | undefined;
  const state = await paced(ctx, readyBy, async () => {
    info = await currentActivity(ctx.root, ctx.id, ctx.adapter, ctx.backend, ctx.paneId);
    if (info.activity === 'ready' || info.activity === 'idle') return 'ready';
    if (info.activity === 'attention' || info.activity === 'exited' || info.activity === 'needs-input' || info.activity === 'rate-limited') return 'refused';
    return undefined;
  });
  if (state !== 'ready' || !info) {
    // a shell holding the pane is named as such (not_agent), not as an agent that is not ready
    if (info?.activity === 'exited' || state === undefined) await inPane(ctx);
    if (state === 'refused' && info) return fail(ctx, `nothing was typed into ${ctx.id}: ${describe(info)}`, info);
    return fail(ctx, `nothing was typed into ${ctx.id}: it did not become ready or idle in time (activity: ${info?.activity})`, info);
  }
  // Never into a shell: a task typed there would run as commands (`Add a line; touch X`).
  await inPane(ctx);
  // Without prompt events the input box is watched: what typing changed in the pane (input-box.ts).
  const watchBox = !ctx.adapter.confirmsPrompt && ctx.backend.name !== 'process';
  const before = watchBox ? await ctx.backend.capture(ctx.paneId, INPUT_CAPTURE_LINES) : [];
  const typedAt = Date.now();
  await ctx.backend.sendText(ctx.paneId, text, { submit: false });
  ctx.onTyped?.();
  if (ctx.adapter.submitDelayMs > 0) await sleep(ctx.adapter.submitDelayMs);
  const screen = await ctx.backend.capture(ctx.paneId, 40);
  // the typed text is in the input now: its words are no dialog, whatever they quote
  const dialog = recogniseDialog(ctx.adapter, screen, text);
  if (dialog) return fail(ctx, `the task was typed into ${ctx.id} but not submitted: ${dialog.name} appeared (agent-team never answers it)`, { activity: 'attention', dialog: { kind: dialog.kind, name: dialog.name }, screen });
  const bound = deliveryBound(ctx.deliveryTimeoutMs, ctx.env);
  let watched: FootprintLine[] = [];
  if (watchBox) {
    const echoBy = Date.now() + Math.min(bound, ECHO_BOUND_MS);
    const echoed = await paced(ctx, echoBy, async () => {
      const lines = watchedLines(inputFootprint(before, await ctx.backend.capture(ctx.paneId, INPUT_CAPTURE_LINES)), text);
      return lines.length > 0 ? lines : undefined;
    }, PACE);
    // no Enter: whatever reads the pane later would get it with nothing typed before it
    if (!echoed) return fail(ctx, `the task was typed into ${ctx.id} but never showed in its pane within ${Math.min(bound, ECHO_BOUND_MS)} ms (the agent was not reading input); Enter was not pressed`);
    watched = echoed;
  }
  await pauseForTest('typed', ctx.env);
  ctx.onEnter?.();
  await ctx.backend.sendText(ctx.paneId, '');
  await pauseForTest('entered', ctx.env);
  // The process backend echoes nothing: the caller reports the task as typed, unconfirmed.
  if (!ctx.adapter.confirmsPrompt && !watchBox) return 'typed';
  const delivered = await paced(ctx, Date.now() + bound, async (): Promise<Delivery | undefined> => {
    if (promptSeen(ctx.root, ctx.id, typedAt)) return 'confirmed';
    if (watchBox && !stillInInput(watched, await ctx.backend.capture(ctx.paneId, INPUT_CAPTURE_LINES))) return 'submitted';
    return undefined;
  }, PACE);
  if (delivered) return delivered;
  const last = await currentActivity(ctx.root, ctx.id, ctx.adapter, ctx.backend, ctx.paneId);
  const why = watchBox ? `it stayed in the agent's input box for ${bound} ms (Enter was not taken)` : `the agent did not confirm it within ${bound} ms`;
  return fail(ctx, `the task was typed into ${ctx.id} but ${why} (activity: ${last.activity})`, last);
}


/** How far an earlier delivery got before its CLI stopped (delivery-record.ts): text maybe typed, or Enter sent too; since when (ms since the epoch). */
export interface EarlierDelivery {
  state: 'pending' | 'entered';
  startedAtMs: number;
  /** Whether the text had gone into the pane (recorded after typing, before Enter). */
  typed: boolean;
}

/** How {@link deliverAgain} finished an earlier delivery: the agent had taken it, Enter alone submitted the text in the input box, or it was typed again. */
export type Redelivery = 'taken' | 'entered' | 'typed-again';

/**
 * Delivers `text` again after a delivery whose CLI was killed (`earlier`), exactly once: an agent with
 * prompt events that reported a prompt since then got it (`confirmed`, nothing typed); a text still in
 * the input box is submitted with Enter alone (never typed twice); after an Enter, a text that left the
 * box counts as `submitted`; a box that was cleared (or a new agent) gets the text typed again through
 * {@link deliverTyped}. Never into a shell. Throws {@link NotDeliveredError} when only part of the text is
 * in the box (typing it again would garble it; the message says to clear the box) or when Enter is not taken.
 */
export async function deliverAgain(ctx: DeliveryContext, text: string, earlier: EarlierDelivery): Promise<{ delivery: Delivery; how: Redelivery }> {
  if (ctx.adapter.confirmsPrompt && promptSeen(ctx.root, ctx.id, earlier.startedAtMs)) return { delivery: 'confirmed', how: 'taken' };
  if (ctx.backend.name === 'process') {
    // no screen to read: the record says whether the text is in the agent's pipe (its line unfinished)
    if (earlier.state === 'entered') return { delivery: 'typed', how: 'taken' };
    if (!earlier.typed) return { delivery: await deliverTyped(ctx, text), how: 'typed-again' };
    ctx.onEnter?.();
    await ctx.backend.sendText(ctx.paneId, '');
    return { delivery: 'typed', how: 'entered' };
  }
  await inPane(ctx);
  let screen = await ctx.backend.capture(ctx.paneId, INPUT_CAPTURE_LINES);
  let holds = inputBoxHolds(screen, text);
  // a text typed a moment ago may still be reaching the screen (a busy machine): give it the echo bound
  const echoBy = Date.now() + ECHO_BOUND_MS;
  while (earlier.typed && holds !== 'all' && Date.now() < echoBy) {
    await sleep(100);
    screen = await ctx.backend.capture(ctx.paneId, INPUT_CAPTURE_LINES);
    holds = inputBoxHolds(screen, text);
  }
  if (holds === 'part') {
    return fail(ctx, `part of the task is still in ${ctx.id}'s input box (its earlier delivery was cut short), and typing it again would garble it; attach (below), clear the input box, then run the same command again (it types the task into the empty box)`);
  }
  if (holds === 'none' || (earlier.state === 'entered' && !textAtEnd(screen, text))) {
    // after an Enter, a text gone from the box was taken; before one, the box was cleared: type it again
    return earlier.state === 'entered' ? { delivery: 'submitted', how: 'taken' } : { delivery: await deliverTyped(ctx, text), how: 'typed-again' };
  }
  const watched = watchedLines(inputFootprint([], screen), text).filter((l) => l.offset < 12);
  const typedAt = Date.now();
  ctx.onEnter?.();
  await ctx.backend.sendText(ctx.paneId, '');
  const bound = deliveryBound(ctx.deliveryTimeoutMs, ctx.env);
  const deadline = Date.now() + bound;
  for (;;) {
    // as for a first delivery: an agent with prompt events is confirmed by them, any other by its box
    if (ctx.adapter.confirmsPrompt) {
      if (promptSeen(ctx.root, ctx.id, typedAt)) return { delivery: 'confirmed', how: 'entered' };
    } else if (!stillInInput(watched, await ctx.backend.capture(ctx.paneId, INPUT_CAPTURE_LINES))) return { delivery: 'submitted', how: 'entered' };
    if (Date.now() >= deadline) return fail(ctx, `Enter was sent again for the task in ${ctx.id}'s input box, but ${ctx.adapter.confirmsPrompt ? 'the agent did not confirm it' : 'it stayed there'} within ${bound} ms`);
    await sleep(25);
  }
}

/**
 * A worker's activity, decided from its events (events.jsonl since the last `launch`), whether its
 * agent process runs, and — when given — the pane's screen. Pure: no I/O here (see status.ts and
 * delivery.ts for the callers that read the facts).
 */
import type { DialogRecogniser, ProviderAdapter } from '../provider/index.js';
import type { WorkerEventRecord } from './event-line.js';

/** The closed set of activities (DESIGN.md "Worker activity and providers"). */
export const ACTIVITIES = ['starting', 'ready', 'working', 'idle', 'needs-input', 'attention', 'rate-limited', 'exited'] as const;
/** One of {@link ACTIVITIES}. */
export type Activity = (typeof ACTIVITIES)[number];

/** A worker's activity and what backs it. */
export interface ActivityInfo {
  activity: Activity;
  /** When the activity began: the time of the event that set it (ISO 8601), if any. */
  since?: string;
  /** The provider's conversation id: from the last `session-start`/`launch` that named one. */
  sessionId?: string;
  /** For `attention`: the dialog recognised (or the failure), and the screen lines. */
  dialog?: { kind: DialogRecogniser['kind'] | 'error'; name: string };
  screen?: string[];
  /** For `rate-limited`: the reset time as the agent gave it. */
  resetsAt?: string;
  /** Why, in a few words: "Notification permission_prompt", "trust dialog on screen". */
  reason?: string;
}

/**
 * The live bottom of `screen`: the lines below the last line of the agent's prompt area (`promptLine`,
 * tested per line), where a blocking screen is drawn; the whole screen when no such line shows (the
 * agent is not at its prompt). Lines above the prompt are the conversation.
 */
function liveBottom(promptLine: RegExp, screen: readonly string[]): string[] {
  for (let i = screen.length - 1; i >= 0; i--) if (promptLine.test(screen[i] ?? '')) return screen.slice(i + 1);
  return [...screen];
}

const ws = (s: string) => s.replace(/\s+/g, ' ');
/** A line's text without an input box's border and prompt sign. */
const inputText = (line: string) => ws(line.replace(/^[\s\u2502\u2503|>\u276f\u203a]+/, '').replace(/[\s\u2502\u2503|]+$/, ''));

/**
 * The dialog of `adapter` that `screen` shows, if any: one of its {@link DialogRecogniser}s matching its
 * {@link liveBottom}, never the conversation above its prompt (a resumed claude with "Please run /login" in
 * its history is at its prompt, not at a login screen). `typed`: text just typed and not yet submitted;
 * lines that show it are the input, not a dialog (a task may quote a dialog's words).
 */
export function recogniseDialog(adapter: Pick<ProviderAdapter, 'dialogs' | 'promptLine'>, screen: readonly string[], typed?: string): DialogRecogniser | undefined {
  let lines = liveBottom(adapter.promptLine, screen);
  if (typed !== undefined) {
    const text = ws(typed);
    lines = lines.filter((line) => {
      const shown = inputText(line);
      return shown === '' || !text.includes(shown);
    });
  }
  const text = lines.join('\n');
  return adapter.dialogs.find((d) => d.pattern.test(text));
}

/**
 * The events after (and including) the last `launch`; all events when there is none. An event appended
 * after the launch but dated before it is left out: a hook of the previous agent that was still running
 * when the new one was launched (gemini 0.61 runs SessionEnd up to three times as it dies; the hook
 * program dates a line when the hook started, hook-program.ts).
 */
export function sinceLaunch(events: readonly WorkerEventRecord[]): WorkerEventRecord[] {
  for (let i = events.length - 1; i >= 0; i--) {
    const launch = events[i];
    if (launch?.event !== 'launch') continue;
    const launchedAt = Date.parse(launch.at);
    return [launch, ...events.slice(i + 1).filter((e) => !(Date.parse(e.at) < launchedAt))];
  }
  return [...events];
}

/**
 * The last session id the events name (a resumed or new conversation). With `confirmed`, only ids the
 * agent itself reported (hook events), not one agent-team chose at launch for an agent that may never
 * have started it: only those can be resumed.
 */
export function lastSessionId(events: readonly WorkerEventRecord[], confirmed = false): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.session_id && (!confirmed || e.event !== 'launch')) return e.session_id;
  }
  return undefined;
}

/**
 * Whether the agent itself reported since the last `launch` that it runs: any hook event but
 * `session-end` (session-start, a prompt taken, a turn ended or failed, a notification). Ends
 * `worker open`'s start check at once (preflight.ts); an agent that quits at once (claude as root)
 * reports none of them.
 */
export function agentReported(events: readonly WorkerEventRecord[]): boolean {
  const since = sinceLaunch(events);
  if (since[0]?.event !== 'launch') return false;
  return since.some((e) => e.event !== 'launch' && e.event !== 'session-end');
}

const RATE = /rate[_ -]?limit|usage limit|quota|429|overloaded/i;

/**
 * The activity of a worker. `alive`: its agent process runs in its pane. `screen` (optional): the pane's
 * last lines, checked for the adapter's dialogs below its prompt (→ `attention`, see {@link recogniseDialog})
 * and for its ready marker (`starting` → `ready`).
 */
export function decideActivity(input: { events: readonly WorkerEventRecord[]; alive: boolean; adapter: ProviderAdapter; screen?: readonly string[] }): ActivityInfo {
  const events = sinceLaunch(input.events);
  const sessionId = lastSessionId(input.events);
  const base = { sessionId };
  if (!input.alive) {
    const last = events[events.length - 1];
    return { ...base, activity: 'exited', since: last?.event === 'session-end' ? last.at : undefined };
  }
  if (input.screen) {
    const dialog = recogniseDialog(input.adapter, input.screen);
    if (dialog) return { ...base, activity: 'attention', dialog: { kind: dialog.kind, name: dialog.name }, screen: [...input.screen], reason: `${dialog.name} is on screen` };
  }
  let info: ActivityInfo = { ...base, activity: 'starting', since: events[0]?.event === 'launch' ? events[0].at : undefined };
  for (const e of events) {
    const data = e.data ?? {};
    switch (e.event) {
      case 'launch':
        info = { ...base, activity: 'starting', since: e.at };
        break;
      case 'session-start':
        info = { ...base, activity: 'ready', since: e.at };
        break;
      case 'prompt-submit':
      case 'busy':
        info = { ...base, activity: 'working', since: e.at };
        break;
      case 'turn-end':
        info = { ...base, activity: 'idle', since: e.at };
        break;
      case 'needs-input':
        info = { ...base, activity: 'needs-input', since: e.at, reason: String(data.notification_type ?? data.message ?? 'permission request') };
        break;
      case 'notification': {
        const type = String(data.notification_type ?? '');
        if (type === 'idle_prompt') info = { ...base, activity: 'idle', since: e.at };
        else if (type === 'permission_prompt' || type === 'elicitation_dialog' || /permission|input|question/i.test(String(data.message ?? ''))) {
          info = { ...base, activity: 'needs-input', since: e.at, reason: type || String(data.message) };
        }
        break;
      }
      case 'turn-failed': {
        const what = `${data.error ?? ''} ${data.error_type ?? ''} ${data.message ?? ''}`;
        const reset = data.resets_at ?? data.reset_at ?? data.retry_after;
        if (RATE.test(what) || reset !== undefined) info = { ...base, activity: 'rate-limited', since: e.at, resetsAt: reset === undefined ? undefined : String(reset), reason: what.trim() };
        else info = { ...base, activity: 'attention', since: e.at, dialog: { kind: 'error', name: `the turn failed: ${what.trim() || 'no reason given'}` }, reason: what.trim() };
        break;
      }
      case 'session-end':
        info = { ...base, activity: 'exited', since: e.at };
        break;
    }
  }
  if (info.activity === 'starting' && !input.adapter.reportsStart && input.screen && input.adapter.readyMarker.test(input.screen.join('\n'))) info = { ...info, activity: 'ready', reason: 'ready marker on screen' };
  if ((info.activity === 'attention' || info.activity === 'needs-input') && input.screen) info.screen = [...input.screen];
  return info;
}

/** Handlers of `reply <id> <message>` and `reply-main <message>`; the domain is in src/worker/reply.ts. */
import { OperationError, UsageError } from '../../errors.js';
import { assertTypable } from '../../worker/messages.js';
import { recordControllerReply, type RecordedReply } from '../../workflow/replies.js';
import type { ReplyStatus } from '../../workflow/schema.js';
import { assertName } from '../../worker/ids.js';
import { inferReplyStatus, locateWorker, recordWorkerReply, replyToController, replyToWorker } from '../../worker/reply.js';
import { mainRepoRoot } from '../../worker/root.js';
import type { CommandResult, CommonOptions } from '../output.js';

/**
 * `reply <id> <message>`: types `[Main Controller Reply] <message>` into the worker's pane, then records
 * it on the runs waiting on that worker (an answer to its question, or a nudge).
 */
export async function reply([id, message]: string[]): Promise<CommandResult> {
  assertName('worker id', id);
  const root = await mainRepoRoot();
  const r = await replyToWorker(root, id as string, message ?? '');
  const recorded = await recordControllerReply(r.id, message ?? '', root);
  const lines = [`replied to ${r.id}`, ...(r.change ? [`kept on its change ${r.change} (given with the change when it is given again)`] : []), ...recorded.map((x) => `recorded on run ${x.run_id}, node ${x.node}, as ${x.action === 'answer' ? 'the answer to its question' : 'a nudge (its timeout counts from now)'}`)];
  return { json: { ok: true, worker_id: r.id, pane_id: r.paneId, text: r.text, change: r.change ?? null, recorded }, text: lines.join('\n') };
}

/** Options of `reply-main`. */
export interface ReplyMainOptions extends CommonOptions {
  status?: ReplyStatus;
  outcome?: string;
  /** `--change`: the change this reply answers. */
  change?: string;
}

/**
 * `reply-main <message> [--outcome L] [--status S]`: records the reply on every active run waiting on
 * this worker, on its change and as its last reply (`worker status`), and types `[Worker: <id>] <message>`
 * into the controller's pane. Fails (exit 1) only when the reply reached none of these.
 */
export async function replyMain([message]: string[], o: ReplyMainOptions): Promise<CommandResult> {
  const text = message ?? '';
  if (text.trim() === '') throw new UsageError('the message is empty');
  assertTypable('the message', text);
  const where = await locateWorker(process.cwd());
  const status = o.status ?? inferReplyStatus(text);
  const outcome = o.outcome;
  let recorded: RecordedReply[] = [];
  const answered = await recordWorkerReply(where, { message: text, status, ...(outcome ? { outcome } : {}), ...(o.change !== undefined ? { change: o.change } : {}) });
  recorded = answered.recorded;
  const warnings: string[] = [];
  let delivered: Awaited<ReturnType<typeof replyToController>> | undefined;
  try {
    delivered = await replyToController(process.cwd(), text);
  } catch (err) {
    // exit 1 only when the reply reached nothing: no run, no change, no worker record, no pane
    const kept = [...recorded.map((r) => `run ${r.run_id}`), ...(answered.changeRecorded ? [`change ${answered.evidence.change}`] : []), ...(answered.workerRecord ? [answered.workerRecord] : [])];
    if (!(err instanceof OperationError)) throw err;
    if (kept.length === 0) {
      throw answered.workerRecordError ? new OperationError(`${err.message}; the reply was not kept either: ${answered.workerRecordError}`, { code: err.code, hint: err.hint, details: err.details, cause: err }) : err;
    }
    warnings.push(`${err.message} (the reply was recorded in ${kept.join(', ')})`);
  }
  if (answered.workerRecordError) warnings.push(`the reply was not kept as ${where.id}'s last reply: ${answered.workerRecordError}`);
  const lines = [delivered ? (delivered.delivery === 'typed' ? `sent to the main controller from ${where.id}` : `shown in the controller's pane ${delivered.controllerPaneId} without typing (it runs ${delivered.foreground ?? 'a shell'})`) : `not delivered to the controller pane`];
  for (const r of recorded) lines.push(r.late ? `logged on run ${r.run_id}, node ${r.node}, as a late reply (it answers an older change)` : `recorded on run ${r.run_id}, node ${r.node}`);
  if (answered.changeRecorded) lines.push(`recorded on change ${answered.evidence.change} (status ${status})`);
  if (!delivered && recorded.length === 0 && answered.workerRecord) lines.push(`no run waits on ${where.id}: the controller sees this reply with: agent-team worker status`);
  return {
    json: { ok: true, worker_id: where.id, delivered: delivered !== undefined, delivery: delivered?.delivery ?? 'none', controller_pane_id: delivered?.controllerPaneId ?? null, text: delivered?.text ?? null, status, outcome: outcome ?? null, change: answered.evidence.change ?? null, head: answered.evidence.head ?? null, clean: answered.evidence.clean ?? null, recorded, worker_record: answered.workerRecord ?? null },
    text: lines.join('\n'),
    warnings,
  };
}

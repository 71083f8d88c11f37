/** Handlers of `reply <id> <message>` and `reply-main <message>`; the domain is in src/worker/reply.ts. */
import { assertName } from '../../worker/ids.js';
import { replyToController, replyToWorker } from '../../worker/reply.js';
import { mainRepoRoot } from '../../worker/root.js';
import type { CommandResult } from '../output.js';

/** `reply <id> <message>`: types `[Main Controller Reply] <message>` into the worker's pane. */
export async function reply([id, message]: string[]): Promise<CommandResult> {
  assertName('worker id', id);
  const r = await replyToWorker(await mainRepoRoot(), id as string, message ?? '');
  return { json: { ok: true, worker_id: r.id, pane_id: r.paneId, text: r.text }, text: `replied to ${r.id}` };
}

/** `reply-main <message>`: types `[Worker: <id>] <message>` into the controller's pane. */
export async function replyMain([message]: string[]): Promise<CommandResult> {
  const r = await replyToController(process.cwd(), message ?? '');
  return { json: { ok: true, worker_id: r.id, controller_pane_id: r.controllerPaneId, text: r.text }, text: `sent to the main controller from ${r.id}` };
}

/** The `agent-team …` command lines printed in hints and by `workflow state next` (quoting: src/shell-quote.ts). */
import { shellQuote } from '../shell-quote.js';

/** `agent-team` followed by the arguments, each quoted as needed. */
export function agentTeam(...args: string[]): string {
  return ['agent-team', ...args.map(shellQuote)].join(' ');
}

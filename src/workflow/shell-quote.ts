/** POSIX shell quoting for the command lines we print as hints and in `workflow state next`. */

/** `arg` as one shell word: unchanged when it is plain, else single-quoted (`'` escaped as `'\''`). */
export function shellQuote(arg: string): string {
  return /^[\w./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** `agent-team` followed by the arguments, each quoted as needed. */
export function agentTeam(...args: string[]): string {
  return ['agent-team', ...args.map(shellQuote)].join(' ');
}

import { shellWords } from '../shell-quote.js';

/**
 * How a refusal's hint is labelled on stderr. The controller skill promises that a `try:` line runs as
 * printed, so `try:` is used only for a hint that is one command line (it starts with a program agent-team
 * names, such as `agent-team` or `git`, optionally after `NAME=value` assignments, holds no prose
 * outside quotes and no placeholder to fill such as `'<The feature…>'`); any other hint is advice in
 * words (or a line to complete) and is labelled `hint:`.
 */
const COMMAND_START = /^(?:[A-Za-z_][A-Za-z0-9_]*=\S+\s+)*(?:agent-team|git|tmux|wezterm|cd)\s/;

/** Words that join prose to a command (`…, or …`, `then: …`) outside quoted parts. */
const PROSE = /, or |; or |, then | then: |: |\w,\s/;

/** A whole argument (or the value after `name=`) that is a placeholder to fill: `<text>`, or `<item>,<item>`. */
const PLACEHOLDER = /^(?:[^=<]*=)?<[^<>]+>(?:,<[^<>]+>)*$/;

/**
 * Whether a command line holds a placeholder the user has to fill (a `try:` line must run as printed):
 * a word (quotes removed, as bash would) that is `<…>` as a whole, or `name=<…>`; or an unquoted `<`/`>`
 * (a redirection is never part of a printed command). Text that only contains `<b>` among other words is not.
 */
function holdsPlaceholder(line: string): boolean {
  if (/[<>]/.test(line.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "''"))) return true;
  return shellWords(line).some((w) => PLACEHOLDER.test(w));
}

/**
 * `'try:'` when `hint` is a single command line that runs as printed, else `'hint:'`. Quoted parts
 * (`'…'`, `"…"`) are not searched for prose, so a quoted summary or path may hold any text.
 */
export function hintLabel(hint: string): 'try:' | 'hint:' {
  if (hint.includes('\n') || !COMMAND_START.test(hint) || holdsPlaceholder(hint)) return 'hint:';
  const unquoted = hint.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "''");
  return PROSE.test(unquoted) ? 'hint:' : 'try:';
}

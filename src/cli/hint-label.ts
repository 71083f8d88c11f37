/**
 * How a refusal's hint is labelled on stderr. The controller skill promises that a `try:` line runs as
 * printed, so `try:` is used only for a hint that is one command line (it starts with a program agent-team
 * names, such as `agent-team` or `git`, optionally after `NAME=value` assignments, and holds no prose
 * outside quotes); any other hint is advice in words and is labelled `hint:`.
 */
const COMMAND_START = /^(?:[A-Za-z_][A-Za-z0-9_]*=\S+\s+)*(?:agent-team|git|tmux|wezterm|cd)\s/;

/** Words that join prose to a command (`…, or …`, `then: …`) outside quoted parts. */
const PROSE = /, or |; or |, then | then: |: |\w,\s/;

/**
 * `'try:'` when `hint` is a single command line that runs as printed, else `'hint:'`. Quoted parts
 * (`'…'`, `"…"`) are not searched for prose, so a quoted summary or path may hold any text.
 */
export function hintLabel(hint: string): 'try:' | 'hint:' {
  if (hint.includes('\n') || !COMMAND_START.test(hint)) return 'hint:';
  const unquoted = hint.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "''");
  return PROSE.test(unquoted) ? 'hint:' : 'try:';
}

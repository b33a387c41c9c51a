// Counting words for built-in summaries; a module of its own so the database and
// Prometheus built-ins, which load in their check kinds' chunks, do not carry the HTTP probes.

/** "1 cookie", "3 cookies" */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** "first problem (+2 more)" */
export function firstAndMore(problems: string[]): string {
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : '';
  return `${problems[0] ?? ''}${more}`;
}

// The oldest Node readiness-gate runs on. Checked by the entries before anything else
// loads, so an older Node gets one sentence and exit 2, never a stack trace.
export const MIN_NODE_MAJOR = 24;

/** The message for a Node older than MIN_NODE_MAJOR, else undefined. */
export function nodeTooOld(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return `readiness-gate needs Node ${MIN_NODE_MAJOR} or newer (found ${version})`;
}

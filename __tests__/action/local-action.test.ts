// @github/local-action imports the entry file and calls its exported run(): importing it
// must not run the action (the runner, which executes the file, does run it).
import { expect, test } from '@jest/globals';

test('src/action/index.ts exports run() and does nothing on import', async () => {
  const before = process.exitCode;
  const entry = (await import('../../src/action/index.ts')) as { run?: unknown };
  expect(typeof entry.run).toBe('function');
  // Run without a repository, the action would have called core.setFailed (exit code 1).
  expect(process.exitCode).toBe(before);
});

// Entry of dist/index.js: the runner's environment and the workflow commands, handed to runAction.
import { readFileSync } from 'node:fs';
import * as core from './workflow-commands.ts';
import { runAction } from './main.ts';

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

try {
  await runAction({
    env: process.env,
    event: readEvent(process.env.GITHUB_EVENT_PATH),
    workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(),
    io: {
      getInput: (name) => core.getInput(name),
      info: (message) => core.info(message),
      warning: (message, properties) => core.warning(message, properties),
      error: (message, properties) => core.error(message, properties),
      setOutput: (name, value) => core.setOutput(name, value),
      setSecret: (value) => core.setSecret(value),
      setFailed: (message) => core.setFailed(message),
      writeSummary: async (markdown) => {
        if (process.env.GITHUB_STEP_SUMMARY) await core.appendSummary(markdown);
      },
    },
  });
} catch (error) {
  // Only a bug gets here; the check was already concluded with the reason.
  core.setFailed(`readiness-gate: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

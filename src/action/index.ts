// Entry of dist/index.js: the runner's environment and the workflow commands, handed to runAction.
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as core from './workflow-commands.ts';
import { runAction } from './main.ts';
import { cancelOnSignals } from './cancel.ts';
import { useBaselineWasmOnly } from '../util/wasm-tiering.ts';

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The whole action; @github/local-action imports this file and calls it. */
export async function run(): Promise<void> {
  // Set first thing here, unlike the CLI (which leaves it to its first connection): octokit's
  // requests go through Node's own fetch, whose parser is compiled on the first API call,
  // before any check connects. An action run lasts seconds of GitHub API calls, so the
  // built-ins it then compiles from source (about 10 ms) do not count.
  useBaselineWasmOnly();
  // A cancelled workflow signals the action: stop the checks, conclude the check as cancelled.
  const cancellation = cancelOnSignals(
    (name) => core.info(`Received ${name}: stopping the checks and concluding the check as cancelled.`),
    (code) => process.exit(code),
  );
  try {
    await runAction({
      signal: cancellation.signal,
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
  } finally {
    cancellation.dispose();
  }
  // After a cancel nothing the run started may keep the process alive.
  if (cancellation.signal.aborted) process.exit(process.exitCode === undefined || process.exitCode === 0 ? 1 : process.exitCode);
}

// The runner executes this file (dist/index.js); a tool that imports it calls run() itself.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await run();

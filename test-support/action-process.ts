// Runs the bundled action the way the GitHub runner does: `node dist/index.js` with
// INPUT_* and GITHUB_* variables, an event file, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
// files, then reads back what the action wrote there.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACTION_BUNDLE = fileURLToPath(new URL('../dist/index.js', import.meta.url));

export interface ActionProcessOptions {
  eventName: string;
  event: Record<string, unknown>;
  inputs: Record<string, string>;
  workspace: string;
  apiUrl: string;
  sha: string;
  repository?: string;
  /** Extra environment (secrets, NODE_EXTRA_CA_CERTS…). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Sends `signal` to the action once `when` resolves (a cancelled workflow). */
  interrupt?: { signal: NodeJS.Signals; when: () => Promise<void> };
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** ::error / ::warning / ::notice / ::add-mask lines the action printed. */
  commands: WorkflowCommand[];
  /** With `interrupt`: ms from the signal to the exit (undefined if it exited first). */
  exitAfterSignalMs?: number;
}

export async function runActionProcess(options: ActionProcessOptions): Promise<ActionProcessResult> {
  const runnerDir = await mkdtemp(join(tmpdir(), 'readiness-runner-'));
  const eventPath = join(runnerDir, 'event.json');
  const outputPath = join(runnerDir, 'output');
  const summaryPath = join(runnerDir, 'summary.md');
  await writeFile(eventPath, JSON.stringify(options.event));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runnerDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: options.repository ?? 'acme/travel',
    GITHUB_SHA: options.sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: runnerDir,
    ...options.env,
  };
  // The runner passes each input as INPUT_<NAME>, upper-cased, hyphens kept.
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  const child = spawn(process.execPath, [ACTION_BUNDLE], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let signalledAt: number | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (options.interrupt) {
    const { signal, when } = options.interrupt;
    void Promise.race([when().then(() => true), exited.then(() => false)]).then((ready) => {
      if (!ready || child.exitCode !== null) return;
      signalledAt = performance.now();
      child.kill(signal);
    });
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the action did not finish within ${options.timeoutMs ?? 60_000}ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  const exitAfterSignalMs = signalledAt === undefined ? undefined : performance.now() - signalledAt;

  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(outputPath, 'utf8')),
    summary: await readFile(summaryPath, 'utf8'),
    commands: parseCommands(stdout),
    ...(exitAfterSignalMs !== undefined ? { exitAfterSignalMs } : {}),
  };
}

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index] as string);
    if (!match) continue;
    const [, name, delimiter] = match as unknown as [string, string, string];
    const value: string[] = [];
    for (index++; index < lines.length && lines[index] !== delimiter; index++) value.push(lines[index] as string);
    outputs[name] = value.join('\n');
  }
  return outputs;
}

function parseCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const [key, ...value] = pair.split('=');
      properties[key as string] = unescape(value.join('='));
    }
    commands.push({ command: match[1] as string, properties, message: unescape(match[3] as string) });
  }
  return commands;
}

function unescape(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

// The `command` check: a shell command run in the workspace with a timeout, an
// environment and an expected exit code (`manage.py check --deploy`). Evidence is the
// exit code and the redacted tail of the output.
import { spawn } from 'node:child_process';
import type { z } from 'zod/mini';
import type { commandCheck } from '../manifest/schema.ts';
import { interpolate, lookup, MissingValueError, type Scope } from '../manifest/interpolate.ts';
import { parseTemplate, type Reference } from '../manifest/template.ts';
import { ordinaryEnvironment } from '../util/command-env.ts';
import { shellTemplate, type Binding } from '../util/shell-template.ts';
import { formatDuration, parseDuration } from '../manifest/units.ts';
import type { CheckRunner } from './context.ts';
import { evaluate, show } from './predicates.ts';
import { assertionLine, failedAssertions, type Assertion, type Evidence } from './result.ts';
import { workspaceEntry } from './workspace.ts';
import { KILL_GRACE_MS } from './stop-grace.ts';

export { KILL_GRACE_MS };

export type CommandCheck = z.infer<typeof commandCheck>;

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** Output kept in memory: a command may print megabytes, the report needs the end. */
const TAIL_BYTES = 64 * 1024;
const TAIL_LINES = 40;
/** How long to wait for the output pipes to drain after the command has exited. */
const DRAIN_MS = 1000;

export const runCommandCheck: CheckRunner<CommandCheck> = async (spec, context) => {
  if (!context.commandsAllowed.allowed) return { outcome: 'skip', summary: context.commandsAllowed.reason, evidence: {} };

  // The command as written is what the report shows; its placeholders reach the shell as
  // environment variables (values are data, never shell text).
  const command = spec.run;
  const template = shellTemplate(parseTemplate(spec.run).parts);
  if ('problem' in template) return { outcome: 'error', summary: template.problem, evidence: { facts: { command: context.redactor.text(command) } } };
  let env: Record<string, string>;
  try {
    env = commandEnvironment(spec, context.scope, template.bindings);
  } catch (error) {
    if (error instanceof MissingValueError) return { outcome: 'error', summary: error.message, evidence: {} };
    throw error;
  }
  const shown = context.redactor.text(command);

  const cwd = await workspaceDirectory(context.workspace, spec.cwd ?? '.');
  if ('problem' in cwd) return { outcome: 'error', summary: cwd.problem, evidence: { facts: { command: shown } } };

  const timeoutMs = spec.timeout === undefined ? DEFAULT_TIMEOUT_MS : (parseDuration(spec.timeout) ?? DEFAULT_TIMEOUT_MS);
  const run = await runProcess(template.script, { cwd: cwd.path, env, timeoutMs, signal: context.signal });

  const facts: Record<string, string | number | boolean> = { command: shown, durationMs: Math.round(run.durationMs) };
  if (spec.cwd !== undefined) facts.cwd = spec.cwd;
  if (run.exitCode !== null) facts.exitCode = run.exitCode;
  if (run.signal !== null) facts.signal = run.signal;
  const evidence: Evidence = { facts };
  // Redacted whole, before any line is picked or cut (a secret may span lines); the kept
  // tail may start inside one.
  const output = context.redactor.fragment(run.output, { start: run.outputBytes > TAIL_BYTES });
  const tail = lastLines(output, TAIL_LINES);
  if (tail.text !== '') evidence.output = tail.text;
  if (tail.cut || run.outputBytes > TAIL_BYTES) {
    evidence.notes = [`the output is shortened to its last ${TAIL_LINES} lines (${run.outputBytes} bytes in all)`];
  }

  if (run.spawnError) return { outcome: 'error', summary: `could not start the command: ${run.spawnError.message}`, evidence };
  if (run.stopped === 'timeout') return { outcome: 'error', summary: `timed out after ${formatDuration(timeoutMs)}; the command was stopped`, evidence };
  if (run.stopped === 'aborted') return { outcome: 'error', summary: `the command was stopped: ${abortReason(context.signal)}`, evidence };

  const assertions: Assertion[] = [];
  const exitExpected = evaluate(spec.expect?.exitCode ?? 0, run.exitCode ?? undefined);
  const exitActual = run.exitCode !== null ? String(run.exitCode) : `none (killed by ${run.signal ?? 'a signal'})`;
  assertions.push({ subject: 'exit code', expected: exitExpected.expected, actual: exitActual, ok: exitExpected.ok });
  if (spec.expect?.output !== undefined) {
    const result = evaluate(spec.expect.output, run.output);
    assertions.push({ subject: 'output', expected: result.expected, actual: show(output), ok: result.ok });
  }
  evidence.assertions = assertions;

  const failed = failedAssertions(assertions);
  if (failed.length === 0) return { outcome: 'pass', summary: `exit code ${exitActual} in ${formatDuration(run.durationMs)}`, evidence };
  return { outcome: 'fail', summary: failureSummary(failed, { ...run, output }, command, context.redactor.text.bind(context.redactor)), evidence };
};

/**
 * The command's environment: the job's ordinary variables (never its tokens), the check's
 * own `env:`, and one variable per placeholder in `run`.
 */
function commandEnvironment(spec: CommandCheck, scope: Scope, bindings: Binding[]): Record<string, string> {
  const env = ordinaryEnvironment(scope.env);
  for (const [name, value] of Object.entries(spec.env ?? {})) env[name] = interpolate(value, scope);
  const missing: Reference[] = [];
  for (const { variable, reference } of bindings) {
    const value = lookup(scope, reference);
    if (value === undefined) missing.push(reference);
    else env[variable] = value;
  }
  if (missing.length > 0) throw new MissingValueError(missing);
  return env;
}

function failureSummary(failed: Assertion[], run: ProcessResult, command: string, redact: (text: string) => string): string {
  if (failed[0]?.subject === 'exit code' && run.exitCode === 127) {
    return `exit code 127: command not found — is ${missingProgram(run.output, command)} installed in the job?`;
  }
  const more = failed.length > 1 ? ` (+${failed.length - 1} more)` : '';
  const lines = decisiveLines(run.output).map((line) => redact(line.length > 200 ? `${line.slice(0, 200)}…` : line));
  const said = lines.length === 0 ? '' : ` — ${lines.join(' · ')}`;
  return `${assertionLine(failed[0] as Assertion)}${more}${said}`;
}

/**
 * A test runner's or a tool's verdict line: unittest's `FAILED (errors=21)` and `Ran 0 tests`,
 * pytest's `=== 2 failed, 1 passed in 0.1s ===`, Django's system check, bandit's first issue,
 * pip-audit's count. The last line of the output is often "Destroying test database…".
 */
const VERDICT_LINES = [
  /^FAILED \(.*\)$/,
  /^Ran 0 tests? in /,
  /^=+ .*\b(failed|errors?|no tests ran)\b.* =+$/,
  /^\S*: \([a-z_]+\.[EW]\d+\) /,
  /^(SystemCheckError: )?System check identified \d+ issues?/,
  /^>> Issue: /,
  /^Found \d+ known vulnerabilit/,
  /^Tests?: .*\bfailed\b/,
];
/** An exception line as Python prints it last in a traceback: "django.db.utils.OperationalError: …". */
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Failure)\b(:.*)?$/;
const ERROR_WORDS = /\b(error|errors|failed|failure|fatal|exception)\b/i;

/**
 * The lines that say why a command failed, at most two: a runner's verdict line (the first
 * one found) and the last traceback's exception line; else the last line that names an error;
 * else the last line of the output.
 */
export function decisiveLines(output: string): string[] {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const decisive: string[] = [];
  const verdict = VERDICT_LINES.map((pattern) => lines.find((line) => pattern.test(line))).find((line) => line !== undefined);
  if (verdict !== undefined) decisive.push(verdict);
  const tracebackAt = lines.findLastIndex((line) => line.startsWith('Traceback (most recent call last)'));
  if (tracebackAt >= 0) {
    const exception = lines.slice(tracebackAt + 1).find((line) => EXCEPTION_LINE.test(line));
    if (exception !== undefined && exception !== verdict) decisive.push(exception);
  }
  if (decisive.length > 0) return decisive;
  const named = lines.findLast((line) => ERROR_WORDS.test(line));
  const last = named ?? lines.at(-1);
  return last === undefined ? [] : [last];
}

/** The program the shell could not find: from its message ("sh: 1: python: not found"), else the first word. */
function missingProgram(output: string, command: string): string {
  const said = [...output.matchAll(/([^\s:'"]+):\s+(?:command\s+)?not found/g)].at(-1)?.[1];
  if (said) return said;
  return command.trim().split(/\s+/).find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? command;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'the run was cancelled';
}

/** The working directory: inside the workspace, existing, a directory. */
async function workspaceDirectory(workspace: string, relative: string): Promise<{ path: string } | { problem: string }> {
  const entry = await workspaceEntry(workspace, relative);
  if ('problem' in entry) return { problem: `cwd ${entry.problem}` };
  if (entry.stats === undefined) return { problem: `cwd "${relative}" does not exist in the workspace` };
  if (!entry.stats.isDirectory()) return { problem: `cwd "${relative}" is not a directory` };
  return { path: entry.path };
}

// ---------------------------------------------------------------- the process

interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  /** The last TAIL_BYTES of stdout and stderr, interleaved as they arrived. */
  output: string;
  outputBytes: number;
  durationMs: number;
  stopped?: 'timeout' | 'aborted';
  spawnError?: Error;
}

interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Runs `command` with /bin/sh in a process group of its own, so stopping it (timeout,
 * cancel) also stops whatever it started: a `sleep` child must not outlive the check.
 * Anything still running in the group when the shell exits is stopped as well.
 */
function runProcess(command: string, options: ProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const tail = new Tail(TAIL_BYTES);
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stopped: ProcessResult['stopped'];
    let stopping: Promise<void> | undefined;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const closed = new Promise<void>((done) => child.once('close', () => done()));
    const stop = (): Promise<void> => (stopping ??= stopTree(child.pid, exited, () => child.kill('SIGKILL')));
    child.stdout.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));

    const timer = setTimeout(() => {
      stopped ??= 'timeout';
      void stop();
    }, options.timeoutMs);
    const onAbort = (): void => {
      stopped ??= 'aborted';
      void stop();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    const settle = (): void => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    };
    const finish = (result: Pick<ProcessResult, 'exitCode' | 'signal'> & { spawnError?: Error }): void => {
      const output = tail.text();
      resolve({ ...result, output, outputBytes: tail.total, durationMs: performance.now() - started, ...(stopped ? { stopped } : {}) });
    };

    child.on('error', (error) => {
      // spawn failed (no shell, no such cwd): there is no process to wait for.
      if (child.pid !== undefined) return;
      settle();
      finish({ exitCode: null, signal: null, spawnError: error });
    });
    child.once('exit', (exitCode, signal) => {
      settle();
      void (async () => {
        if (groupAlive(child.pid)) await stop();
        // Output still in the pipes; a process that escaped the group may hold them open, so bounded.
        let drain: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise((done) => (drain = setTimeout(done, DRAIN_MS)))]);
        // Cleared, or the timer holds the whole run open for another second.
        clearTimeout(drain);
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ exitCode, signal });
      })();
    });
  });
}

/**
 * SIGTERM to the whole group; SIGKILL to what is left once the shell has exited or the
 * grace period is over. (Waiting for the group itself to empty does not work where
 * nothing reaps orphans: their zombies keep the group alive.)
 */
async function stopTree(pid: number | undefined, exited: Promise<void>, fallback: () => void): Promise<void> {
  if (pid === undefined) return;
  if (process.platform === 'win32') {
    fallback();
    return;
  }
  if (!signalGroup(pid, 'SIGTERM')) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((done) => (timer = setTimeout(done, KILL_GRACE_MS)))]);
  clearTimeout(timer);
  signalGroup(pid, 'SIGKILL');
}

function groupAlive(pid: number | undefined): boolean {
  return pid !== undefined && process.platform !== 'win32' && signalGroup(pid, 0);
}

/** A signal to every process in the group `pid` leads; false when the group is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The last `limit` bytes of a stream, without holding the rest. */
class Tail {
  private readonly limit: number;
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.chunks.length > 1 && this.kept - (this.chunks[0] as Buffer).length >= this.limit) {
      this.kept -= (this.chunks.shift() as Buffer).length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    const bytes = all.length > this.limit ? all.subarray(all.length - this.limit) : all;
    // Colour codes and carriage returns (progress bars) mean nothing in a report.
    // eslint-disable-next-line no-control-regex
    return bytes.toString('utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n');
  }
}

function lastLines(text: string, count: number): { text: string; cut: boolean } {
  const lines = text.replace(/\n+$/, '').split('\n');
  if (lines.length <= count) return { text: lines.join('\n'), cut: false };
  return { text: lines.slice(-count).join('\n'), cut: true };
}

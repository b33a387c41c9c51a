// The few workflow commands and file commands the action uses, written as
// @actions/core 3 writes them (lib/command.js, lib/file-command.js, lib/core.js,
// lib/summary.js). A local module instead of the package: @actions/core's index also
// loads its summary builder, OIDC client and @actions/http-client with a second undici,
// none of which the action runs. __tests__/action/workflow-commands.test.ts compares
// every function's output with @actions/core's own, byte for byte.
import { randomUUID } from 'node:crypto';
import { access, appendFile, constants } from 'node:fs/promises';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

type CommandProperties = Record<string, string | number | undefined>;

function toCommandValue(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string' || input instanceof String) return String(input);
  return JSON.stringify(input);
}

function escapeData(value: unknown): string {
  return toCommandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: unknown): string {
  return toCommandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,key=value::message` on stdout (empty properties are left out). */
export function issueCommand(command: string, properties: CommandProperties, message: unknown): void {
  let line = `::${command}`;
  const pairs = Object.entries(properties)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`);
  if (pairs.length > 0) line += ` ${pairs.join(',')}`;
  process.stdout.write(`${line}::${escapeData(message)}${EOL}`);
}

function toCommandProperties(properties: AnnotationProperties): CommandProperties {
  if (Object.keys(properties).length === 0) return {};
  return { title: properties.title, file: properties.file, line: properties.startLine, endLine: properties.endLine, col: properties.startColumn, endColumn: properties.endColumn };
}

function issueFileCommand(command: string, message: string): void {
  const path = process.env[`GITHUB_${command}`];
  if (!path) throw new Error(`Unable to find environment variable for file command ${command}`);
  if (!existsSync(path)) throw new Error(`Missing file at path: ${path}`);
  appendFileSync(path, `${toCommandValue(message)}${EOL}`, { encoding: 'utf8' });
}

/** `name<<delimiter` heredoc of a file command, with a delimiter the value cannot contain. */
function keyValueMessage(key: string, value: unknown): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  const converted = toCommandValue(value);
  if (key.includes(delimiter)) throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (converted.includes(delimiter)) throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  return `${key}<<${delimiter}${EOL}${converted}${EOL}${delimiter}`;
}

export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand('warning', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}

export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand('error', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) {
    issueFileCommand('OUTPUT', keyValueMessage(name, value));
    return;
  }
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, toCommandValue(value));
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1;
  error(message);
}

export function startGroup(name: string): void {
  issueCommand('group', {}, name);
}

export function endGroup(): void {
  issueCommand('endgroup', {}, '');
}

/** Appends to the job summary as core.summary.addRaw(text, true).write() does. */
export async function appendSummary(markdown: string): Promise<void> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path) throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.');
  try {
    await access(path, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(`Unable to access summary file: '${path}'. Check if the file has correct read/write permissions.`);
  }
  await appendFile(path, `${markdown}${EOL}`, { encoding: 'utf8' });
}

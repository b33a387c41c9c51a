// The runner's world as the action sees it: index.ts passes @actions/core and
// process.env in, so every other file takes plain arguments.
import { isAbsolute, join } from 'node:path';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** What the action needs from @actions/core; index.ts passes the real thing. */
export interface ActionIO {
  getInput(name: string): string;
  info(message: string): void;
  warning(message: string, properties?: AnnotationProperties): void;
  error(message: string, properties?: AnnotationProperties): void;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  setFailed(message: string): void;
  writeSummary(markdown: string): Promise<void>;
}

export interface ActionEnv {
  env: Readonly<Record<string, string | undefined>>;
  /** The parsed event payload ($GITHUB_EVENT_PATH). */
  event: Record<string, unknown>;
  workspace: string;
  io: ActionIO;
  /** Aborted when the workflow is cancelled (SIGTERM/SIGINT). */
  signal?: AbortSignal;
}

/** A path the user gave, relative to the workspace unless absolute. */
export function resolveIn(workspace: string, path: string): string {
  return isAbsolute(path) ? path : join(workspace, path);
}

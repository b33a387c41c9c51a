// The readiness-gate command line. `main` takes its world as arguments (argv, streams,
// env, cwd) and returns the exit code: 0 ready, 1 not ready, 2 usage or manifest error.
// Each command imports what it needs when it runs (in the bundle, chunks read on import),
// so `--version` or `schema` never load the engine, the checks or zod's schema.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ManifestError } from '../manifest/load.ts';
import type { LocatedItem } from '../manifest/ids.ts';
import type { Report } from '../report/model.ts';
import { VERSION } from '../version.ts';

export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export const EXIT = { ready: 0, notReady: 1, usage: 2 } as const;
const DEFAULT_MANIFEST = '.github/readiness.yml';
const FORMATS = ['terminal', 'markdown', 'json', 'junit'] as const;
type Format = (typeof FORMATS)[number];

const HELP = {
  main: `readiness-gate ${VERSION}: a production-readiness checklist as a merge and release gate.

Usage: readiness-gate <command> [options]

Commands:
  run        run the manifest's checks against staging and print the checklist
  validate   check a manifest without running anything
  init       write a starter manifest (.github/readiness.yml)
  schema     print the manifest's JSON Schema

Run "readiness-gate <command> --help" for a command's options.
Exit codes: 0 ready, 1 not ready, 2 usage or manifest error.
`,
  run: `Usage: readiness-gate run [--manifest FILE] [--url URL] [--format FORMAT] [--out DIR]
                          [--only ID|SECTION]... [--list] [--verbose]

Runs every item of the manifest and prints the checklist, then a recap of what
failed or could not be checked. Without a terminal, one line per item as it finishes.

Options:
  -m, --manifest FILE   the manifest (default ${DEFAULT_MANIFEST})
  -u, --url URL         the staging URL; overrides target.url
  -f, --format FORMAT   terminal (default), markdown, json or junit
  -o, --out DIR         also write report.json, report.md, report.html and junit.xml to DIR
      --sha SHA         the commit under test, for {{ git.sha }} (default: $GITHUB_SHA)
      --only ID|SECTION run only this item (by id) or section (by title); repeatable
      --list            list the items (id, kind, section, title) without running them
      --verbose         list every pending sign-off instead of one line per owner
  -h, --help            this help

Secrets: {{ secrets.NAME }} reads the environment variable NAME and is redacted.
Exit codes: 0 ready, 1 not ready, 2 usage or manifest error.
`,
  validate: `Usage: readiness-gate validate [FILE]

Checks the manifest (default ${DEFAULT_MANIFEST}) and prints every problem as
file:line:column  path  message. Exit 0 when valid, 2 otherwise.
`,
  schema: `Usage: readiness-gate schema

Prints the JSON Schema of the manifest, for editors:
  # yaml-language-server: $schema=<url or path of the schema>
`,
  init: `Usage: readiness-gate init [--template NAME] [--dir DIR] [--url URL] [--path FILE] [--force]

Writes a starter manifest. The django template is fitted to the project in DIR:
its settings module, its tests (pytest or manage.py test), Celery, REST framework,
payment and GDS code. Items that do not apply are written as comments, each with
the reason; with --url, so are items whose paths staging does not serve.

Options:
  -t, --template NAME   django (every item of the Django launch checklist) or generic (default)
  -d, --dir DIR         the repository to fit the django template to (default: here)
  -u, --url URL         staging: probe the template's paths (a few GETs) and write target.url
  -p, --path FILE       where to write it (default ${DEFAULT_MANIFEST})
      --force           overwrite an existing file
`,
};

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(HELP.main);
    return command === undefined ? EXIT.usage : EXIT.ready;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ready;
  }
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'validate':
        return await validateCommand(rest, io);
      case 'schema':
        return await schemaCommand(rest, io);
      case 'init':
        return await initCommand(rest, io);
      default:
        io.stderr.write(`readiness-gate: unknown command "${command}"\n\n${HELP.main}`);
        return EXIT.usage;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`readiness-gate ${command}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

class UsageError extends Error {}

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function runCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parse(args, {
    manifest: { type: 'string', short: 'm' },
    url: { type: 'string', short: 'u' },
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    sha: { type: 'string' },
    only: { type: 'string', multiple: true },
    list: { type: 'boolean' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(HELP.run);
    return EXIT.ready;
  }
  const format = (values.format ?? 'terminal') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`);
  const manifestFile = values.manifest ?? DEFAULT_MANIFEST;
  const manifestText = readManifest(manifestFile, io);
  if (manifestText === undefined) return EXIT.usage;
  const [{ runReadiness }, { formatError, loadManifest }, { finishedLine, progressLine, shouldUseColor, waitingLine }] = await Promise.all([
    import(/* webpackChunkName: "run" */ '../pipeline.ts'),
    import(/* webpackChunkName: "manifest" */ '../manifest/load.ts'),
    import(/* webpackChunkName: "run" */ '../report/terminal.ts'),
  ]);
  const reportInvalid = (errors: ManifestError[]): number => {
    for (const error of errors) io.stderr.write(`${formatError(error)}\n`);
    io.stderr.write(`\n${manifestFile} is not a valid manifest (${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}).\n`);
    return EXIT.usage;
  };
  if (values.list || values.only) {
    const loaded = loadManifest(manifestText, manifestFile);
    if (!loaded.ok) return reportInvalid(loaded.errors);
    const [{ itemIds }, { selectItems }, { CHECK_KINDS }] = await Promise.all([
      import(/* webpackChunkName: "manifest" */ '../manifest/ids.ts'),
      import(/* webpackChunkName: "manifest" */ '../plan/select.ts'),
      import(/* webpackChunkName: "manifest" */ '../manifest/schema.ts'),
    ]);
    const entries = itemIds(loaded.value.manifest).items;
    const { selected, unmatched } = selectItems(entries, values.only ?? []);
    if (unmatched.length > 0) {
      const problems = unmatched.map(({ pattern, suggestion }) => `"${pattern}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
      throw new UsageError(`--only ${problems.join(', ')} names no item id or section of ${manifestFile}; "run --list" shows them`);
    }
    if (values.list) {
      io.stdout.write(listItems(values.only ? selected : entries, CHECK_KINDS));
      return EXIT.ready;
    }
  }

  const live = io.stderr.isTTY === true && format === 'terminal';
  const git: { sha?: string; ref?: string } = {};
  const sha = values.sha ?? io.env.GITHUB_SHA;
  if (sha) git.sha = sha;
  if (io.env.GITHUB_REF) git.ref = io.env.GITHUB_REF;

  const outcome = await runReadiness({
    manifestText,
    manifestFile,
    ...(values.url !== undefined ? { url: values.url } : {}),
    env: io.env,
    git,
    workspace: io.cwd,
    ...(values.only ? { only: values.only } : {}),
    onProgress: (event) => {
      if (event.type !== 'finish') return;
      // A terminal gets one line rewritten in place; a log (CI) one line per item as it finishes.
      if (live) io.stderr.write(`\r\x1b[2K${progressLine(event.done, event.total, event.item.title)}`);
      else if (io.stderr.isTTY !== true) io.stderr.write(`${finishedLine(event.item, event.result, event.done, event.total)}\n`);
    },
    onWaiting: (attempt, problem, wait) => io.stderr.write(`${waitingLine(attempt, problem, wait)}\n`),
  });

  if (outcome.status === 'invalid') return reportInvalid(outcome.errors);
  if (outcome.status === 'unusable') {
    io.stderr.write(`readiness-gate run: ${outcome.message}\n`);
    return EXIT.usage;
  }
  if (live) io.stderr.write('\r\x1b[2K');

  const { report } = outcome;
  io.stdout.write(await render(report, format, shouldUseColor(io.stdout, io.env), values.verbose ?? false));
  if (values.out !== undefined) {
    const dir = resolve(io.cwd, values.out);
    const { writeReports } = await import('../report/files.ts');
    await writeReports(report, dir);
    io.stderr.write(`reports written to ${dir}: report.json, report.md, report.html, junit.xml\n`);
  }
  return report.verdict.ready ? EXIT.ready : EXIT.notReady;
}

/** `run --list`: one line per item, id first (what --only takes). */
function listItems(entries: LocatedItem[], kinds: readonly string[]): string {
  const kind = (entry: LocatedItem) => kinds.find((name) => (entry.item as Record<string, unknown>)[name] !== undefined) ?? '?';
  const width = Math.min(48, Math.max(0, ...entries.map((entry) => entry.id.length)));
  const lines = entries.map((entry) => `${entry.id.padEnd(width)}  ${kind(entry).padEnd(7)}  ${entry.sections.join(' › ')} › ${entry.item.title.replace(/\s+/g, ' ')}`);
  return `${lines.join('\n')}\n${entries.length} ${entries.length === 1 ? 'item' : 'items'}\n`;
}

async function render(report: Report, format: Format, color: boolean, verbose: boolean): Promise<string> {
  switch (format) {
    case 'markdown':
      return `${(await import('../report/markdown.ts')).renderMarkdown(report)}\n`;
    case 'json':
      return (await import('../report/json.ts')).renderJson(report);
    case 'junit':
      return (await import('../report/junit.ts')).renderJUnit(report);
    default:
      return (await import(/* webpackChunkName: "run" */ '../report/terminal.ts')).renderTerminal(report, { color, verbose });
  }
}

async function validateCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {}, true);
  if (values.help) {
    io.stdout.write(HELP.validate);
    return EXIT.ready;
  }
  if (positionals.length > 1) throw new UsageError('validate takes one manifest file');
  const file = positionals[0] ?? DEFAULT_MANIFEST;
  const text = readManifest(file, io);
  if (text === undefined) return EXIT.usage;
  const [{ formatError, loadManifest }, { itemIds }] = await Promise.all([
    import(/* webpackChunkName: "manifest" */ '../manifest/load.ts'),
    import(/* webpackChunkName: "manifest" */ '../manifest/ids.ts'),
  ]);
  const loaded = loadManifest(text, file);
  if (!loaded.ok) {
    for (const error of loaded.errors) io.stderr.write(`${formatError(error)}\n`);
    io.stderr.write(`\n${file} is not a valid manifest (${loaded.errors.length} ${loaded.errors.length === 1 ? 'problem' : 'problems'}).\n`);
    return EXIT.usage;
  }
  for (const warning of loaded.value.warnings) io.stderr.write(`${formatError(warning)}  (warning)\n`);
  const items = itemIds(loaded.value.manifest).items;
  const manual = items.filter((entry) => entry.item.manual !== undefined).length;
  io.stdout.write(`${file} is valid: ${loaded.value.manifest.sections.length} sections, ${items.length} items (${items.length - manual} automated, ${manual} manual).\n`);
  return EXIT.ready;
}

async function schemaCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parse(args, {});
  if (values.help) {
    io.stdout.write(HELP.schema);
    return EXIT.ready;
  }
  const { manifestJsonSchemaText } = await import(/* webpackChunkName: "manifest" */ '../manifest/json-schema.ts');
  io.stdout.write(manifestJsonSchemaText());
  return EXIT.ready;
}

async function initCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parse(args, {
    template: { type: 'string', short: 't' },
    path: { type: 'string', short: 'p' },
    force: { type: 'boolean' },
    url: { type: 'string', short: 'u' },
    dir: { type: 'string', short: 'd' },
  });
  if (values.help) {
    io.stdout.write(HELP.init);
    return EXIT.ready;
  }
  const { runInit } = await import('./init.ts');
  const result = await runInit({
    template: values.template ?? 'generic',
    path: resolve(io.cwd, values.path ?? DEFAULT_MANIFEST),
    force: values.force ?? false,
    dir: resolve(io.cwd, values.dir ?? '.'),
    ...(values.url !== undefined ? { url: values.url } : {}),
  });
  if (!result.ok) {
    io.stderr.write(`readiness-gate init: ${result.message}\n`);
    return EXIT.usage;
  }
  for (const finding of result.findings ?? []) io.stdout.write(`  ${finding}\n`);
  io.stdout.write(`${result.message}\n`);
  return EXIT.ready;
}

function readManifest(file: string, io: CliIO): string | undefined {
  try {
    // Synchronously: node:fs/promises costs more to load (~8 ms) than reading one manifest.
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    const hint = code === 'ENOENT' && file === DEFAULT_MANIFEST ? ' (create one with "readiness-gate init", or pass --manifest)' : '';
    io.stderr.write(`readiness-gate: cannot read ${file}: ${why}${hint}\n`);
    return undefined;
  }
}

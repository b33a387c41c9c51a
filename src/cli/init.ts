// `readiness-gate init`: writes a starter manifest, never over an existing one unless forced.
// The django template is fitted to the project it runs in (src/cli/init/): what the
// repository shows, and with --url what staging answers.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { suggest } from '../manifest/suggest.ts';
import { DJANGO_TEMPLATE } from './templates/django.ts';
import { GENERIC_TEMPLATE } from './templates/generic.ts';
import { inspectProject, type ProjectFacts } from './init/inspect.ts';
import { DEFAULT_PROBE, probeStaging, type ProbeOptions, type StagingFacts } from './init/probe.ts';
import { fitTemplate, INIT_READY_TIMEOUT, templatePaths, type FitResult } from './init/fit.ts';

export const TEMPLATES: Record<string, string> = {
  generic: GENERIC_TEMPLATE,
  django: DJANGO_TEMPLATE,
};

export interface InitOptions {
  template: string;
  path: string;
  force: boolean;
  /** The repository to fit the django template to; without it the template is written as it is. */
  dir?: string;
  /** Staging, probed for the template's paths and written as target.url. */
  url?: string;
  probe?: ProbeOptions;
}

export interface InitResult {
  ok: boolean;
  message: string;
  /** One line per finding, for the summary (fitted templates only). */
  findings?: string[];
}

export async function runInit(options: InitOptions): Promise<InitResult> {
  let text = TEMPLATES[options.template];
  if (text === undefined) {
    const names = Object.keys(TEMPLATES);
    const guess = suggest(options.template, names);
    return { ok: false, message: `unknown template "${options.template}"${guess ? `; did you mean "${guess}"?` : ''} (templates: ${names.join(', ')})` };
  }
  if (options.url !== undefined && options.template !== 'django') {
    return { ok: false, message: `--url fits the django template to staging; the ${options.template} template takes its URL from target.url (or run --url)` };
  }
  let findings: string[] | undefined;
  let fitted: FitResult | undefined;
  if (options.template === 'django' && options.dir !== undefined) {
    if (!(await isDirectory(options.dir))) return { ok: false, message: `--dir ${options.dir} is not a directory` };
    const facts = await inspectProject(options.dir);
    if (options.url !== undefined && !isHttpUrl(options.url)) {
      return { ok: false, message: `--url "${withoutCredentials(options.url)}" is not an http(s) URL (write it as https://staging.example.com)` };
    }
    // init writes the URL into a manifest that gets committed, and prints it: never a password.
    if (options.url !== undefined && withoutCredentials(options.url) !== options.url) {
      return {
        ok: false,
        message: `--url "${withoutCredentials(options.url)}" carries credentials (user:password@), which init would write into the manifest; pass the URL without them (init probes without credentials) and send them from a secret with target.headers`,
      };
    }
    // Nothing to fit to (not a Django project): the template as it is, which says what to change.
    if (facts.django || options.url !== undefined) {
      const staging = options.url !== undefined ? await probeStaging(options.url, templatePaths(text), options.probe ?? DEFAULT_PROBE) : undefined;
      fitted = fitTemplate({ template: text, facts, ...(staging ? { staging } : {}), ...(options.url !== undefined ? { url: options.url } : {}) });
      text = fitted.text;
      findings = describe(facts, staging, fitted);
    }
  }
  await mkdir(dirname(options.path), { recursive: true });
  try {
    // "wx" fails if the file exists, so a concurrent writer cannot be overwritten either.
    await writeFile(options.path, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { ok: false, message: `${options.path} already exists; pass --force to overwrite it` };
    throw error;
  }
  const counts = fitted ? ` (${fitted.active} items active, ${fitted.commentedOut} commented out with the reason)` : '';
  return {
    ok: true,
    message: `wrote ${options.path} from the ${options.template} template${counts}; check it with "readiness-gate validate ${options.path}"`,
    ...(findings ? { findings } : {}),
  };
}

/** One line per thing init found, in the words a user checks them by. */
export function describe(facts: ProjectFacts, staging: StagingFacts | undefined, fitted: FitResult): string[] {
  const where = (files: string[]) => (files.length > 0 ? ` (${files.join(', ')})` : '');
  const found = (name: string, evidence: { found: boolean; where: string[] }, extra = '') =>
    evidence.found ? `${name}: found${extra}${where(evidence.where)}` : `${name}: not found; its items are commented out`;
  const settings = facts.settings.chosen
    ? `settings: ${facts.settings.chosen}${facts.settings.chosenFile ? ` (${facts.settings.chosenFile})` : ''}${facts.settings.production ? '' : ', not named as production: check DJANGO_SETTINGS_MODULE in the manifest'}`
    : 'settings: no settings module found; set DJANGO_PRODUCTION_SETTINGS for the commands';
  const tests =
    facts.tests.runner === 'none'
      ? 'tests: none found; the test items are commented out'
      : `tests: ${facts.tests.files.length} test ${facts.tests.files.length === 1 ? 'file' : 'files'}, run with ${facts.tests.runner === 'pytest' ? `pytest (${facts.tests.pytestConfig})` : 'manage.py test'}`;
  const lines = [
    ...(facts.manageDir ? [`manage.py: in ${facts.manageDir}/; commands run there`] : []),
    settings,
    tests,
    found('Celery', facts.celery),
    found('REST framework', facts.restFramework),
    found('payments', facts.payments, facts.payments.found ? `: ${facts.payments.providers.join(', ')}` : ''),
    found('GDS', facts.gds, facts.gds.found ? `: ${facts.gds.systems.join(', ')}` : ''),
  ];
  if (staging && !staging.reached) {
    const answers = [...staging.answers.values()];
    const refused = answers.find((answer) => 'status' in answer);
    const problem = answers.map((answer) => ('problem' in answer ? answer.problem : '')).find(Boolean) ?? 'no answer';
    const why = refused ? `answered ${refused.status} (init sends no credentials)` : `no answer (${problem})`;
    lines.push(`staging: ${why} from ${staging.url}; its paths were not checked, so every item that requests one is kept`);
  } else if (staging) {
    const answers = [...staging.answers.values()];
    const silent = answers.filter((answer) => 'problem' in answer).length;
    const absent = staging.absent.length > 0 ? staging.absent.join(', ') : 'none';
    lines.push(`staging: ${staging.answers.size} paths probed at ${staging.url}; not there: ${absent}${silent > 0 ? `; ${silent} did not answer (their items are kept)` : ''}`);
  }
  lines.push(`target.ready: ${fitted.ready}, up to ${INIT_READY_TIMEOUT}${readySource(facts, staging)}`);
  if (facts.truncated) lines.push('note: the repository is larger than init reads; some findings may be missing');
  return lines;
}

/** Where the ready request came from, so the user knows what to check. */
function readySource(facts: ProjectFacts, staging: StagingFacts | undefined): string {
  if (staging?.reached) return staging.health ? ' (it answered on staging)' : ` (no health URL answered; tried ${staging.healthTried.join(', ')})`;
  if (facts.urls.healthPath !== undefined) return ` (the health route of ${facts.urls.root})`;
  if (facts.urls.files > 0 && !facts.urls.mentionsHealth) return ' (no URL pattern mentions health)';
  return '';
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}

/** The URL as given, minus any user:password@ (whatever its scheme), for messages and files. */
function withoutCredentials(text: string): string {
  if (!URL.canParse(text)) return text.replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, '$1');
  const url = new URL(text);
  if (url.username === '' && url.password === '') return text;
  url.username = '';
  url.password = '';
  return url.href;
}

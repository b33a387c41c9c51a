// `init` fits the Django template to the project: items that apply stay, wired to the
// settings, test runner and paths that exist; the others become comments, in their place,
// with the reason above them. The template is parsed with `yaml` to find each node, and
// edited as text at the nodes' source ranges: that keeps every comment, quote and line
// break of the template exactly (re-stringifying the document would reflow them).
import { isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { ProjectFacts } from './inspect.ts';
import { isAbsent, type ProbePath, type StagingFacts } from './probe.ts';

/** What init writes for target.ready: short, so a first run never waits minutes. */
export const INIT_READY_TIMEOUT = '90s';
const INIT_READY_INTERVAL = '5s';
const TEMPLATE_HEALTH = '/health/';

export interface FitInput {
  template: string;
  facts: ProjectFacts;
  staging?: StagingFacts;
  /** --url: written as target.url. */
  url?: string;
}

export interface FitResult {
  text: string;
  /** Items written as YAML, and items written as comments. */
  active: number;
  commentedOut: number;
  /** The ready request init wrote ("GET /health/"). */
  ready: string;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Entry {
  node: YAMLMap;
  titles: string[];
  /** Its items and sub-sections; none for an item. */
  children: Entry[];
  reason?: string;
}

const PATH_KEYS = new Set(['request', 'url', 'path', 'paths', 'page']);
const METHOD_LINE = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+(\/\S*)$/;

/** The distinct paths the template requests (no templated ones), for `probeStaging`. */
export function templatePaths(template: string): ProbePath[] {
  const doc = parseDocument(template);
  const methods = new Map<string, Set<string>>();
  for (const entry of items(doc)) {
    for (const { path, method } of requestedPaths(entry.node.toJS(doc))) {
      const set = methods.get(path) ?? new Set<string>();
      set.add(method);
      methods.set(path, set);
    }
  }
  const ready = doc.getIn(['target', 'ready', 'request']);
  if (typeof ready === 'string') {
    const match = METHOD_LINE.exec(ready);
    if (match?.[2]) methods.set(stripQuery(match[2]), new Set(['GET', ...(methods.get(stripQuery(match[2])) ?? [])]));
  }
  return [...methods].map(([path, set]) => ({ path, getAllowed: set.has('GET') }));
}

export function fitTemplate(input: FitInput): FitResult {
  const { template, facts, staging } = input;
  const doc = parseDocument(template);
  const getAllowed = new Map(templatePaths(template).map((entry) => [entry.path, entry.getAllowed]));
  // A staging that answered nothing (down, a TLS problem) says nothing about its paths.
  const answered = staging?.reached ? staging : undefined;
  const health = chooseHealth(facts, answered);
  const missing = (path: string) => missingReason(path, health, answered, getAllowed);

  // 1. Decide every item, then every (sub-)section all of whose items are out.
  const tree = sectionTree(doc);
  const leaves = tree.flatMap((section) => leavesOf(section));
  for (const leaf of leaves) {
    const reason = reasonToLeaveOut(leaf, leaf.node.toJS(doc), facts, missing);
    if (reason !== undefined) leaf.reason = reason;
  }
  keepAliasesWhole(leaves);
  for (const section of tree) rollUp(section);

  // 2. Text edits: comments for what is out, new values for what is wired.
  const edits: Edit[] = [];
  const out = outermostOut(tree);
  for (const entry of out) edits.push(commentOut(template, entry.node, entry.reason as string));
  const isOut = (node: Node) => out.some((entry) => within(node, entry.node));

  const url = doc.getIn(['target', 'url'], true);
  if (input.url !== undefined && isScalar(url)) edits.push(replaceScalar(url, input.url));
  edits.push(...fitReady(template, doc, health));

  visit(doc, {
    Pair(_, pair) {
      const value = pair.value;
      if (!isScalar(value) || typeof value.value !== 'string' || isOut(value)) return;
      const text = value.value;
      if (text === '{{ env.DJANGO_PRODUCTION_SETTINGS }}' && facts.settings.chosen) {
        edits.push(replaceScalar(value, facts.settings.chosen));
        const where = facts.settings.chosenFile ?? 'manage.py';
        const why = facts.settings.production ? `the production settings init found (${where})` : `the only settings init found (${where}); point it at your production settings`;
        edits.push(insertLineBefore(template, pair, `# ${why}`));
        return;
      }
      if (keyOf(pair) === 'run') {
        const run = fitCommand(text, facts);
        if (run !== text) edits.push(replaceScalar(value, run));
        return;
      }
      if (keyOf(pair) === 'matches' && text === 'Ran [1-9][0-9]* tests? in' && facts.tests.runner === 'pytest') {
        edits.push(replaceScalar(value, '[1-9][0-9]* passed'));
        return;
      }
      if (health.path !== TEMPLATE_HEALTH && health.path !== undefined) {
        const moved = movedHealth(text, health.path);
        if (moved !== undefined && !within(value, doc.getIn(['target', 'ready'], true) as Node)) edits.push(replaceScalar(value, moved));
      }
    },
    Seq(_, seq) {
      // paths: [/, /health/]: a missing path is dropped from the list while another one remains.
      if (isOut(seq) || !seq.items.every((item) => isScalar(item) && typeof item.value === 'string')) return;
      const paths = seq.items.map((item) => String((item as Scalar).value));
      const kept = paths.filter((path) => missing(path) === undefined).map((path) => (path === TEMPLATE_HEALTH && health.path !== undefined ? health.path : path));
      if (kept.length === 0 || kept.join() === paths.join()) return;
      const [start, end] = seq.range as [number, number, number];
      edits.push({ start, end, text: `[${kept.map(yamlScalar).join(', ')}]` });
    },
  });

  const active = leaves.filter((leaf) => !isOutLeaf(leaf, out)).length;
  const header = headerLines(active, leaves.length - active, facts, staging);
  const firstLineEnd = template.indexOf('\n') + 1;
  edits.push({ start: firstLineEnd, end: firstLineEnd, text: header });
  return { text: applyEdits(template, edits), active, commentedOut: leaves.length - active, ready: `GET ${health.ready}` };
}

// ---------------------------------------------------------------- what applies

interface HealthChoice {
  /** The health path items should use; undefined when none exists. */
  path: string | undefined;
  /** The path target.ready waits for. */
  ready: string;
  /** The status target.ready expects. */
  readyStatus: number;
  /** Why items that need /health/ are left out, when they are. */
  missing?: string;
}

function chooseHealth(facts: ProjectFacts, staging: StagingFacts | undefined): HealthChoice {
  if (staging) {
    if (staging.health) {
      const status = statusOf(staging, staging.health) ?? 200;
      return { path: staging.health, ready: staging.health, readyStatus: status < 300 ? status : 200 };
    }
    // Nothing answered as a health URL: wait for the home page to answer as it does now.
    const home = statusOf(staging, '/');
    const tried = staging.healthTried.join(', ');
    return {
      path: undefined,
      ready: '/',
      readyStatus: home !== undefined && home < 500 ? home : 200,
      missing: `no health URL answered on staging (tried ${tried}): add a /health/ view, then uncomment`,
    };
  }
  if (facts.urls.healthPath !== undefined) return { path: facts.urls.healthPath, ready: facts.urls.healthPath, readyStatus: 200 };
  if (facts.urls.files > 0 && !facts.urls.mentionsHealth) {
    return { path: undefined, ready: '/', readyStatus: 200, missing: `no URL pattern mentions health (${facts.urls.files} urls.py read): add a /health/ view, then uncomment` };
  }
  return { path: TEMPLATE_HEALTH, ready: TEMPLATE_HEALTH, readyStatus: 200 };
}

function statusOf(staging: StagingFacts, path: string): number | undefined {
  const answer = staging.answers.get(path);
  return answer !== undefined && 'status' in answer ? answer.status : undefined;
}

function reasonToLeaveOut(entry: Entry, item: unknown, facts: ProjectFacts, missing: (path: string) => string | undefined): string | undefined {
  const titleValue = (item as { title?: unknown }).title;
  const title = typeof titleValue === 'string' ? titleValue : '';
  const within = (name: string) => entry.titles.includes(name);
  const run = commandRun(item);

  if (!facts.gds.found && (within('Galileo GDS') || /galileo|\bGDS\b/i.test(title))) {
    return 'no GDS code found (no galileo, travelport, amadeus or sabre import, module or requirement): uncomment if you book through a GDS';
  }
  if (!facts.payments.found && (within('Payment Gateway') || /payment|\bPCI\b/i.test(title))) {
    return 'no payment code found (no stripe, adyen, braintree or paypal import or requirement): uncomment if you take payments';
  }
  if (!facts.celery.found && /celery/i.test(title)) {
    return 'no Celery found (no celery.py, no celery import or requirement): uncomment if you add it';
  }
  if (!facts.restFramework.found && run?.includes('rest_framework')) {
    return 'no Django REST framework found (rest_framework not in the code or requirements): uncomment if you add it, or check your own throttling';
  }
  if (run !== undefined && /manage\.py test\b/.test(run)) {
    if (facts.tests.runner === 'none') return 'no tests found (no test_*.py, tests.py or tests/ folder): uncomment when you add tests';
    const pattern = /--pattern\s+"([^"]+)"/.exec(run)?.[1];
    if (pattern !== undefined && !facts.tests.files.some((file) => globMatch(pattern, baseName(file)))) {
      return `no ${pattern} file among the ${facts.tests.files.length} test files: name them so (or change the pattern), then uncomment; "All tests passing" runs the whole suite`;
    }
  }
  for (const { path, list } of requestedPaths(item)) {
    if (list.some((other) => missing(other) === undefined)) continue;
    const reason = missing(path);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Why a path the template requests is not there (no health URL; staging said 404/410/405), or undefined. */
function missingReason(path: string, health: HealthChoice, staging: StagingFacts | undefined, getAllowed: Map<string, boolean>): string | undefined {
  if (path === TEMPLATE_HEALTH) return health.missing;
  const answer = staging?.answers.get(path);
  if (!isAbsent(answer, getAllowed.get(path) ?? true)) return undefined;
  return `staging answered ${(answer as { status: number }).status} to GET ${path}: point this item at an endpoint you have, then uncomment`;
}

function commandRun(item: unknown): string | undefined {
  const command = (item as { command?: { run?: unknown } }).command;
  return typeof command?.run === 'string' ? command.run : undefined;
}

/** The paths an item requests: `GET /x` lines, request maps, and path/paths/page options. `list` holds the other paths of a `paths:` list. */
function requestedPaths(value: unknown): { path: string; method: string; list: string[] }[] {
  const found: { path: string; method: string; list: string[] }[] = [];
  const pathOf = (node: unknown, key: string | undefined): { path: string; method?: string } | undefined => {
    if (typeof node !== 'string' || key === undefined || !PATH_KEYS.has(key) || node.includes('{{')) return undefined;
    const line = METHOD_LINE.exec(node);
    if (line?.[2]) return { path: stripQuery(line[2]), method: line[1] as string };
    return node.startsWith('/') ? { path: stripQuery(node) } : undefined;
  };
  const visitValue = (node: unknown, key: string | undefined, method: string) => {
    if (Array.isArray(node)) {
      const paths = node.map((element) => pathOf(element, key)).filter((entry) => entry !== undefined);
      for (const entry of paths) found.push({ path: entry.path, method: entry.method ?? method, list: paths.map((other) => other.path).filter((other) => other !== entry.path) });
      for (const element of node) if (typeof element === 'object') visitValue(element, key, method);
      return;
    }
    const own = pathOf(node, key);
    if (own) {
      found.push({ path: own.path, method: own.method ?? method, list: [] });
      return;
    }
    if (node !== null && typeof node === 'object') {
      const map = node as Record<string, unknown>;
      const mapMethod = typeof map.method === 'string' ? map.method.toUpperCase() : 'GET';
      for (const [name, child] of Object.entries(map)) visitValue(child, name === 'login' ? 'path' : name, mapMethod);
    }
  };
  visitValue(value, undefined, 'GET');
  return found;
}

function stripQuery(path: string): string {
  return path.replace(/[?#].*$/, '');
}

function globMatch(glob: string, name: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(name);
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

// ---------------------------------------------------------------- wiring

/** The test command for the project's runner, run where manage.py is. */
function fitCommand(run: string, facts: ProjectFacts): string {
  let fitted = run;
  if (facts.tests.runner === 'pytest' && /manage\.py test\b/.test(run)) {
    // -o python_files picks the same test_<kind>*.py modules that --pattern did.
    fitted = run.replace(/python manage\.py test --noinput(?:\s+--pattern\s+"([^"]+)")?/, (_, pattern: string | undefined) => `python -m pytest -q${pattern ? ` -o "python_files=${pattern}"` : ''}`);
  }
  if (facts.manageDir && /manage\.py|pytest/.test(fitted)) fitted = `cd ${shellWord(facts.manageDir)} && ${fitted}`;
  return fitted;
}

/** A folder name as one shell word: a repository's folder names are not trusted to be plain. */
function shellWord(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function movedHealth(text: string, path: string): string | undefined {
  if (text === TEMPLATE_HEALTH) return path;
  const line = METHOD_LINE.exec(text);
  if (line?.[2] === TEMPLATE_HEALTH) return `${line[1]} ${path}`;
  return undefined;
}

function fitReady(template: string, doc: Document, health: HealthChoice): Edit[] {
  const edits: Edit[] = [];
  const ready = doc.getIn(['target', 'ready'], true);
  if (!isMap(ready)) return edits;
  const request = ready.get('request', true);
  if (isScalar(request) && request.value !== `GET ${health.ready}`) edits.push(replaceScalar(request, `GET ${health.ready}`));
  const expect = ready.get('expect', true);
  if (isMap(expect) && health.readyStatus !== 200) edits.push({ start: (expect.range as [number, number, number])[0], end: (expect.range as [number, number, number])[1], text: `{ status: ${health.readyStatus} }` });
  const timeoutPair = ready.items.find((pair) => keyOf(pair) === 'timeout');
  const timeout = timeoutPair?.value;
  if (timeoutPair && isScalar(timeout) && timeout.value !== INIT_READY_TIMEOUT) {
    edits.push(replaceScalar(timeout, INIT_READY_TIMEOUT));
    edits.push(insertLineBefore(template, timeoutPair, `# Short, so a first run is quick. Lengthen it (10m) when staging deploys right before the job.`));
  }
  const interval = ready.get('interval', true);
  if (isScalar(interval) && interval.value !== INIT_READY_INTERVAL) edits.push(replaceScalar(interval, INIT_READY_INTERVAL));
  if (health.path === undefined) edits.push(insertLineBefore(template, ready.items[0] as Pair, `# No health URL yet, so this waits for the home page; wait for /health/ once you have one.`));
  return edits;
}

function headerLines(active: number, commentedOut: number, facts: ProjectFacts, staging: StagingFacts | undefined): string {
  const lines = [
    `Fitted by "readiness-gate init" to this repository${staging ? ` and to ${staging.url}` : ''}: ${active} items apply, ${commentedOut} are`,
    'commented out in their place, each with the reason above it. Uncomment an item when it applies.',
  ];
  if (facts.settings.chosen) lines.push(`The commands use ${facts.settings.chosen} as DJANGO_SETTINGS_MODULE, so DJANGO_PRODUCTION_SETTINGS is not needed.`);
  if (staging) lines.push('target.url is the staging URL init was given, so STAGING_URL is not needed.');
  if (facts.truncated) lines.push('The repository was larger than init reads, so some findings may be missing.');
  return lines.map((line) => `# ${oneLine(line)}\n`).join('');
}

// ---------------------------------------------------------------- the document's shape

function items(doc: Document): Entry[] {
  return sectionTree(doc).flatMap((section) => leavesOf(section));
}

function sectionTree(doc: Document): Entry[] {
  const sections = doc.get('sections', true);
  if (!isSeq(sections)) return [];
  const build = (node: YAMLMap, titles: string[]): Entry => {
    const here = [...titles, String(node.get('title'))];
    const children: Entry[] = [];
    for (const key of ['items', 'sections']) {
      const seq = node.get(key, true);
      if (!isSeq(seq)) continue;
      for (const child of seq.items) {
        if (!isMap(child)) continue;
        children.push(key === 'items' ? { node: child, titles: here, children: [] } : build(child, here));
      }
    }
    return { node, titles: here, children };
  };
  return (sections).items.filter(isMap).map((node) => build(node, []));
}

function leavesOf(entry: Entry): Entry[] {
  if (entry.children.length === 0 && entry.node.has('title') && !entry.node.has('items') && !entry.node.has('sections')) return [entry];
  return entry.children.flatMap((child) => leavesOf(child));
}

/** A (sub-)section whose items are all out is out too: the manifest allows no empty one. */
function rollUp(entry: Entry): void {
  if (entry.children.length === 0) return;
  for (const child of entry.children) rollUp(child);
  const reasons = new Set(entry.children.map((child) => child.reason));
  if (reasons.has(undefined)) return;
  entry.reason = reasons.size === 1 ? (entry.children[0]?.reason) : 'nothing in it applies (each item says why)';
}

function outermostOut(tree: Entry[]): Entry[] {
  const out: Entry[] = [];
  const walk = (entry: Entry) => {
    if (entry.reason !== undefined) out.push(entry);
    else for (const child of entry.children) walk(child);
  };
  for (const section of tree) walk(section);
  return out;
}

function isOutLeaf(leaf: Entry, out: Entry[]): boolean {
  return out.some((entry) => within(leaf.node, entry.node));
}

/** An alias (*booking-flow) must not outlive its anchor: an item using a left-out anchor is left out too. */
function keepAliasesWhole(leaves: Entry[]): void {
  for (let changed = true; changed; ) {
    changed = false;
    const outAnchors = new Set<string>();
    for (const leaf of leaves) {
      if (leaf.reason === undefined) continue;
      visit(leaf.node, { Node: (_, node) => void (node.anchor && outAnchors.add(node.anchor)) });
    }
    for (const leaf of leaves) {
      if (leaf.reason !== undefined) continue;
      let uses: string | undefined;
      visit(leaf.node, { Alias: (_, alias) => void (outAnchors.has(alias.source) && (uses = alias.source)) });
      if (uses !== undefined) {
        leaf.reason = `uses *${uses}, which is commented out with its item: uncomment both`;
        changed = true;
      }
    }
  }
}

function within(node: Node, container: Node | null | undefined): boolean {
  if (!container?.range || !node.range) return false;
  return node.range[0] >= container.range[0] && node.range[1] <= container.range[2];
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

// ---------------------------------------------------------------- text edits

function replaceScalar(node: Scalar, value: string): Edit {
  const [start, end] = node.range as [number, number, number];
  return { start, end, text: yamlScalar(value) };
}

/** Plain when that is unambiguous, else a JSON string (a YAML double-quoted scalar): safe for any value. */
function yamlScalar(value: string): string {
  const plain = /^[\w/.-]+( [\w/.-]+)*$/.test(value) && !/^[-.]/.test(value);
  return plain ? value : JSON.stringify(value);
}

/** The lines of a sequence entry, as comments at the entry's column, under a reason line. */
function commentOut(text: string, node: YAMLMap, reason: string): Edit {
  const [nodeStart, , nodeEnd] = node.range as [number, number, number];
  const lineStart = text.lastIndexOf('\n', nodeStart - 1) + 1;
  const column = text.slice(lineStart, nodeStart).indexOf('-');
  const end = text[nodeEnd - 1] === '\n' ? nodeEnd - 1 : nodeEnd;
  const indent = ' '.repeat(column);
  const lines = text.slice(lineStart, end).split('\n').map((line) => {
    if (line.trim() === '') return '';
    const lead = line.length - line.trimStart().length;
    return `${indent}# ${lead >= column ? line.slice(column) : line.trimStart()}`;
  });
  return { start: lineStart, end, text: [`${indent}# ${oneLine(reason)}`, ...lines].join('\n') };
}

function insertLineBefore(text: string, pair: Pair, comment: string): Edit {
  const keyStart = ((pair.key as Node).range as [number, number, number])[0];
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = ' '.repeat(keyStart - lineStart);
  return { start: lineStart, end: lineStart, text: `${indent}${oneLine(comment)}\n` };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function applyEdits(text: string, edits: Edit[]): string {
  // From the end, so earlier offsets stay valid; insertions at one offset keep their order.
  const ordered = edits.map((edit, index) => ({ ...edit, index })).sort((a, b) => b.start - a.start || b.index - a.index);
  let result = text;
  for (const edit of ordered) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

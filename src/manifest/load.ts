// Manifest text → validated manifest, or every problem at once with file:line:column.
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { manifest as manifestSchema, type Manifest } from './schema.ts';
import { unknownKeyMessage } from './builtins.ts';
import { parseTemplate } from './template.ts';
import { itemIds } from './ids.ts';
import { issueMessage, specificIssues, valueAt } from './issues.ts';
import { keysAt } from './schema-keys.ts';
import { checkPolicyReferences } from './policy-refs.ts';

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

export interface ManifestError extends Position {
  file: string;
  /** Dotted path of the offending value, e.g. sections[0].items[2].http.expect */
  path: string;
  message: string;
}

export interface LoadedManifest {
  file: string;
  manifest: Manifest;
  /** Position of any path in the file (used for annotations on manifest lines). */
  positionOf: (path: PathSegment[]) => Position;
  /** Not errors, but worth saying (`validate` prints them): a waiver that has expired. */
  warnings: ManifestError[];
}

export interface LoadOptions {
  /** Today, for waiver expiry checks. Default: now. */
  today?: Date;
}

export type LoadResult = { ok: true; value: LoadedManifest } | { ok: false; errors: ManifestError[] };

/** Far more values than any checklist has; an alias bomb expands to millions. */
export const MAX_EXPANDED_NODES = 100_000;
/** Shared settings need a handful of aliases. */
export const MAX_ALIASES = 1000;

export function loadManifest(source: string, file: string, options: LoadOptions = {}): LoadResult {
  // A byte-order mark is not text: left in, it shifts every column of the first line.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({
        file,
        ...at(error.pos[0]),
        path: '',
        message: yamlMessage(error.message),
      })),
    };
  }

  const positionOf = (path: PathSegment[], part: 'key' | 'value' = 'value'): Position => at(offsetOf(doc, path, part));
  const aliasProblem = checkAliases(doc);
  if (aliasProblem) return { ok: false, errors: [{ file, ...at(aliasProblem.offset), path: '', message: aliasProblem.message }] };
  const raw: unknown = doc.toJS({ maxAliasCount: -1 });
  if (raw === null || raw === undefined) {
    return { ok: false, errors: [{ file, line: 1, column: 1, path: '', message: 'the manifest is empty; start with `version: 1` and `sections:`' }] };
  }

  const errors: ManifestError[] = [];
  const report = (path: PathSegment[], message: string, part: 'key' | 'value' = 'value') =>
    errors.push({ file, ...positionOf(path, part), path: formatPath(path), message });

  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of specificIssues(parsed.error.issues)) {
      const path = issue.path as PathSegment[];
      if (issue.code === 'unrecognized_keys') {
        const known = keysAt(manifestSchema, path);
        for (const key of issue.keys) report([...path, key], unknownKeyMessage(key, known), 'key');
      } else {
        const atKey = valueAt(raw, path) === undefined || (issue.code === 'custom' && issue.params?.at === 'key');
        report(path, issueMessage(issue, valueAt(raw, path)), atKey ? 'key' : 'value');
      }
    }
  }

  // Checks that need the whole document: templates and unique ids.
  checkTemplates(doc, report);
  const warnings: ManifestError[] = [];
  if (parsed.success) {
    const ids = itemIds(parsed.data);
    for (const duplicate of ids.duplicates) {
      report([...duplicate.path, 'id'], `id \`${duplicate.id}\` is already used by another item; ids must be unique`);
    }
    const warn = (path: PathSegment[], message: string) => warnings.push({ file, ...positionOf(path), path: formatPath(path), message });
    checkPolicyReferences(parsed.data, ids.items, options.today ?? new Date(), report, warn);
  }

  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: { file, manifest: parsed.data, positionOf: (path) => positionOf(path), warnings } };
}

export function formatError(error: ManifestError): string {
  const where = `${error.file}:${error.line}:${error.column}`;
  return error.path ? `${where}  ${error.path}  ${error.message}` : `${where}  ${error.message}`;
}

export function formatPath(path: PathSegment[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment), '');
}

function yamlMessage(message: string): string {
  if (message.includes('Maximum call stack size exceeded')) return 'values are nested too deeply to read';
  // The yaml library appends a code excerpt after the first line; we give the position instead.
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

// ---------------------------------------------------------------- positions

/** Offset of the deepest node on `path` that exists (the key itself when asked for). */
function offsetOf(doc: Document, path: PathSegment[], part: 'key' | 'value'): number {
  let node: Node | null | undefined = doc.contents;
  let offset = node?.range?.[0] ?? 0;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((candidate) => isScalar(candidate.key) && String(candidate.key.value) === String(segment));
      if (!pair) return offset;
      const keyNode = pair.key as Node;
      if (last && part === 'key') return keyNode.range?.[0] ?? offset;
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? keyNode.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment] as Node | undefined;
      if (!node) return offset;
      offset = node.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

// ---------------------------------------------------------------- aliases

/**
 * Aliases that point nowhere, at the value that contains them, or that expand the document
 * past MAX_EXPANDED_NODES (billion laughs: aliases of aliases; wide: one big anchor used
 * many times). Sizes are counted per node once, so this takes time linear in the file.
 */
function checkAliases(doc: Document): { offset: number; message: string } | undefined {
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let problem: { offset: number; message: string } | undefined;
  let firstAlias: number | undefined;
  let aliasCount = 0;
  // Anchors as met in document order (an alias means the latest one before it); the
  // library's own lookup walks the whole document for every alias.
  const anchors = new Map<string, unknown>();

  const sizeOf = (node: unknown): number => {
    if (problem) return 0;
    if (isAlias(node)) {
      const offset = node.range?.[0] ?? 0;
      firstAlias ??= offset;
      // The library resolves each alias by walking the document: many aliases are slow by themselves.
      if (++aliasCount > MAX_ALIASES) {
        problem = { offset, message: `more than ${MAX_ALIASES} aliases; write the values out` };
        return 0;
      }
      const target = anchors.get(node.source);
      if (!target) {
        problem = { offset, message: `alias \`*${node.source}\` has no anchor \`&${node.source}\` before it` };
        return 0;
      }
      if (open.has(target)) {
        problem = { offset, message: `alias \`*${node.source}\` is inside the value it refers to, which would never end` };
        return 0;
      }
      return sizeOf(target);
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) anchors.set(anchor, node);
    if (!isCollection(node)) return 1;
    open.add(node);
    let total = 1;
    for (const item of node.items) total += isPair(item) ? sizeOf(item.key) + sizeOf(item.value) : sizeOf(item);
    open.delete(node);
    sizes.set(node, total);
    if (total > MAX_EXPANDED_NODES && !problem) {
      problem = { offset: firstAlias ?? 0, message: `aliases expand this manifest to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} values; write the values out or use fewer aliases` };
    }
    return total;
  };

  sizeOf(doc.contents);
  return problem;
}

// ---------------------------------------------------------------- templates

type Reporter = (path: PathSegment[], message: string) => void;

/** Every string is checked: syntax, known namespaces, and flow-only references. */
function checkTemplates(doc: Document, report: Reporter): void {
  const visit = (node: unknown, path: PathSegment[], flow: FlowScope | undefined): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const childPath = [...path, key];
        if (key === 'flow' && isMap(pair.value)) {
          visitFlow(pair.value, childPath);
        } else {
          visit(pair.value, childPath, flow);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((child, index) => visit(child, [...path, index], flow));
    } else if (isScalar(node) && typeof node.value === 'string') {
      checkString(node.value, path, flow);
    }
  };

  const visitFlow = (flowNode: unknown, path: PathSegment[]): void => {
    if (!isMap(flowNode)) return;
    const captured = new Set<string>();
    const allCaptures = new Set<string>();
    for (const step of stepNodes(flowNode, 'steps')) collectCaptures(step.node, allCaptures);
    for (const step of stepNodes(flowNode, 'steps')) {
      visit(step.node, [...path, 'steps', step.index], { captured: new Set(captured), finally: false });
      collectCaptures(step.node, captured);
    }
    for (const step of stepNodes(flowNode, 'finally')) {
      visit(step.node, [...path, 'finally', step.index], { captured: allCaptures, finally: true });
    }
  };

  const checkString = (text: string, path: PathSegment[], flow: FlowScope | undefined): void => {
    if (!text.includes('{{')) return;
    const parsed = parseTemplate(text);
    for (const message of parsed.errors) report(path, message);
    for (const part of parsed.parts) {
      if (typeof part === 'string') continue;
      if (part.namespace === 'cookies' && !flow) report(path, `\`{{ ${part.expression} }}\` reads the cookie jar, which only flow steps have`);
      if (part.namespace === 'target' && !['url', 'host', 'origin'].includes(part.name)) report(path, `\`{{ ${part.expression} }}\`: target offers url, host and origin`);
      if (part.namespace === 'git' && !['sha', 'ref'].includes(part.name)) report(path, `\`{{ ${part.expression} }}\`: git offers sha and ref`);
      if (part.namespace === '') {
        if (!flow) report(path, `\`{{ ${part.name} }}\` names a capture, which only flow steps have; for a variable write {{ env.${part.name} }}`);
        else if (!flow.captured.has(part.name)) {
          report(path, flow.finally ? `\`{{ ${part.name} }}\` is never captured by a step` : `\`{{ ${part.name} }}\` is used before a step captures it`);
        }
      }
    }
  };

  visit(doc.contents, [], undefined);
}

interface FlowScope {
  captured: Set<string>;
  finally: boolean;
}

function stepNodes(flowNode: unknown, key: string): { node: unknown; index: number }[] {
  if (!isMap(flowNode)) return [];
  const list = flowNode.get(key, true);
  if (!isSeq(list)) return [];
  return list.items.map((node, index) => ({ node, index }));
}

function collectCaptures(step: unknown, into: Set<string>): void {
  if (!isMap(step)) return;
  const capture = step.get('capture', true);
  if (!isMap(capture)) return;
  for (const pair of capture.items) if (isScalar(pair.key)) into.add(String(pair.key.value));
}


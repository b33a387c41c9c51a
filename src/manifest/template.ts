// `{{ namespace.name }}` placeholders in manifest strings. `${{ }}` is GitHub's own
// expression syntax (evaluated before we ever see the file), so it is refused here.

export interface Reference {
  /** env, secrets, target, git, cookies, or '' for a flow capture. */
  namespace: string;
  name: string;
  /** The text between the braces, trimmed: "secrets.TOKEN". */
  expression: string;
}

export type TemplatePart = string | Reference;

export interface ParsedTemplate {
  parts: TemplatePart[];
  errors: string[];
}

const NAMESPACES = new Set(['env', 'secrets', 'target', 'git', 'cookies']);
const REFERENCE = /^(?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_.-]*)$/;

export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open === -1) {
      parts.push(rest);
      break;
    }
    if (open > 0 && rest[open - 1] === '$') {
      errors.push('`${{ … }}` is GitHub Actions syntax; in the manifest write `{{ env.NAME }}` or `{{ secrets.NAME }}`');
    }
    if (open > 0) parts.push(rest.slice(0, open));
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) {
      errors.push('`{{` is never closed with `}}`');
      break;
    }
    const expression = rest.slice(open + 2, close).trim();
    const match = REFERENCE.exec(expression);
    if (!match) {
      errors.push(`\`{{ ${expression} }}\` is not a reference; expected {{ env.NAME }}, {{ secrets.NAME }}, {{ target.url }} or a capture name`);
    } else {
      const namespace = match[1] ?? '';
      const name = match[2] as string;
      if (namespace !== '' && !NAMESPACES.has(namespace)) {
        errors.push(`unknown namespace \`${namespace}\` in \`{{ ${expression} }}\`; expected env, secrets, target, git or cookies`);
      }
      parts.push({ namespace, name, expression });
    }
    rest = rest.slice(close + 2);
  }
  return { parts, errors };
}

/** Fills placeholders; `resolve` returns undefined for a value that is not available. */
export function renderTemplate(text: string, resolve: (ref: Reference) => string | undefined): { value: string; missing: Reference[] } {
  if (!hasTemplate(text)) return { value: text, missing: [] };
  const { parts } = parseTemplate(text);
  const missing: Reference[] = [];
  let value = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      value += part;
      continue;
    }
    const resolved = resolve(part);
    if (resolved === undefined) missing.push(part);
    else value += resolved;
  }
  return { value, missing };
}

export function references(text: string): Reference[] {
  return parseTemplate(text).parts.filter((part): part is Reference => typeof part !== 'string');
}

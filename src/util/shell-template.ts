// A manifest command with {{ placeholders }} → a shell script in which every placeholder
// is a reference to an environment variable of the child. The values never become shell
// text: whatever they contain ($(…), backticks, quotes, newlines), the shell expands them
// once as data and never parses them. Each reference is quoted for the place it stands in
// (a bare word, "double quotes", 'single quotes', a here-document), so the command means
// the same thing with any value.
import type { Reference, TemplatePart } from '../manifest/template.ts';

export interface Binding {
  /** The environment variable the script reads: RG_SECRETS_DB_PASSWORD. */
  variable: string;
  reference: Reference;
}

export type ShellTemplate = { script: string; bindings: Binding[] } | { problem: string };

type Frame =
  /** Shell words: the top level, $( … ) and ` … `. */
  | { kind: 'command'; closer: 'end' | ')' | '`'; depth: number; wordStart: boolean }
  | { kind: 'double' }
  | { kind: 'single' }
  /** ${ … }: its words are quoted when the expansion itself is. */
  | { kind: 'param'; quoted: boolean }
  | { kind: 'arith'; depth: number }
  | { kind: 'heredoc'; delimiter: string; quoted: boolean; stripTabs: boolean; lineStart: boolean };

/** One character of the command, or a placeholder. */
type Token = string | Reference;

export function shellTemplate(parts: TemplatePart[]): ShellTemplate {
  const tokens: Token[] = parts.flatMap((part): Token[] => (typeof part === 'string' ? [...part] : [part]));
  const bindings = new Map<string, Binding>();
  const stack: Frame[] = [{ kind: 'command', closer: 'end', depth: 0, wordStart: true }];
  const pendingHeredocs: Extract<Frame, { kind: 'heredoc' }>[] = [];
  let script = '';
  let index = 0;

  const top = (): Frame => stack.at(-1) as Frame;
  const charAt = (at: number): string | undefined => {
    const token = tokens[at];
    return typeof token === 'string' ? token : undefined;
  };
  const take = (count = 1): void => {
    for (let n = 0; n < count; n++) {
      const token = tokens[index++];
      if (typeof token === 'string') script += token;
    }
  };
  /** $( $(( ${ and ` open a frame wherever they stand except inside single quotes. */
  const openExpansion = (quoted: boolean): boolean => {
    const char = charAt(index);
    if (char === '`') {
      take();
      stack.push({ kind: 'command', closer: '`', depth: 0, wordStart: true });
      return true;
    }
    if (char !== '$') return false;
    if (charAt(index + 1) === '(' && charAt(index + 2) === '(') {
      take(3);
      stack.push({ kind: 'arith', depth: 0 });
      return true;
    }
    if (charAt(index + 1) === '(') {
      take(2);
      stack.push({ kind: 'command', closer: ')', depth: 0, wordStart: true });
      return true;
    }
    if (charAt(index + 1) === '{') {
      take(2);
      stack.push({ kind: 'param', quoted });
      return true;
    }
    return false;
  };

  while (index < tokens.length) {
    const token = tokens[index] as Token;
    const frame = top();

    if (typeof token !== 'string') {
      const variable = bind(bindings, token);
      if (frame.kind === 'heredoc' && frame.quoted) {
        return { problem: `{{ ${token.expression} }} is inside a quoted here-document (<<'${frame.delimiter}'), where the shell expands nothing; write the delimiter unquoted (<<${frame.delimiter})` };
      }
      script += reference(variable, frame);
      if (frame.kind === 'command') frame.wordStart = false;
      if (frame.kind === 'heredoc') frame.lineStart = false;
      index++;
      continue;
    }

    switch (frame.kind) {
      case 'single':
        if (token === "'") stack.pop();
        take();
        break;

      case 'double':
        if (token === '\\') take(2);
        else if (token === '"') {
          stack.pop();
          take();
        } else if (!openExpansion(true)) take();
        break;

      case 'param':
        if (token === '\\') take(2);
        else if (token === '}') {
          stack.pop();
          take();
        } else if (token === '"') {
          stack.push({ kind: 'double' });
          take();
        } else if (token === "'" && !frame.quoted) {
          stack.push({ kind: 'single' });
          take();
        } else if (!openExpansion(frame.quoted)) take();
        break;

      case 'arith':
        if (token === '(') frame.depth++;
        if (token === ')' && frame.depth === 0 && charAt(index + 1) === ')') {
          stack.pop();
          take(2);
        } else {
          if (token === ')') frame.depth = Math.max(0, frame.depth - 1);
          if (!openExpansion(true)) take();
        }
        break;

      case 'heredoc':
        if (frame.lineStart && endsHeredoc(tokens, index, frame)) {
          // The delimiter line itself, then back to the command.
          while (index < tokens.length && charAt(index) !== '\n') take();
          take();
          stack.pop();
          const next = pendingHeredocs.shift();
          if (next) stack.push(next);
          break;
        }
        frame.lineStart = token === '\n';
        if (frame.quoted) take();
        else if (token === '\\') take(2);
        else if (!openExpansion(false)) take();
        break;

      case 'command': {
        const wordStart = frame.wordStart;
        frame.wordStart = /[\s;&|()<>]/.test(token);
        if (token === '\\') take(2);
        else if (token === "'") {
          stack.push({ kind: 'single' });
          take();
        } else if (token === '"') {
          stack.push({ kind: 'double' });
          take();
        } else if (token === '`' && frame.closer === '`') {
          stack.pop();
          take();
        } else if (token === '#' && wordStart) {
          // A comment runs to the end of the line: its quotes open nothing.
          while (index < tokens.length && tokens[index] !== '\n') {
            if (typeof tokens[index] === 'string') take();
            else script += reference(bind(bindings, tokens[index++] as Reference), frame);
          }
          frame.wordStart = true;
        } else if (token === '(') {
          frame.depth++;
          take();
        } else if (token === ')') {
          if (frame.closer === ')' && frame.depth === 0) stack.pop();
          else frame.depth = Math.max(0, frame.depth - 1);
          take();
        } else if (token === '<' && charAt(index + 1) === '<' && charAt(index + 2) !== '<') {
          take(2);
          const heredoc = readHeredocStart();
          if (heredoc) pendingHeredocs.push(heredoc);
        } else if (token === '\n') {
          take();
          const next = pendingHeredocs.shift();
          if (next) stack.push(next);
        } else if (!openExpansion(false)) take();
        break;
      }
    }
  }
  return { script, bindings: [...bindings.values()] };

  /** After <<: an optional -, blanks, and the delimiter word (quoted if any part of it is). */
  function readHeredocStart(): Extract<Frame, { kind: 'heredoc' }> | undefined {
    let stripTabs = false;
    if (charAt(index) === '-') {
      stripTabs = true;
      take();
    }
    while (charAt(index) === ' ' || charAt(index) === '\t') take();
    let delimiter = '';
    let quoted = false;
    let quote: string | undefined;
    while (index < tokens.length) {
      const char = charAt(index);
      if (char === undefined) return undefined; // a placeholder as a delimiter: leave it to the shell
      if (quote) {
        if (char === quote) quote = undefined;
        else delimiter += char;
      } else if (char === "'" || char === '"') {
        quote = char;
        quoted = true;
      } else if (char === '\\') {
        quoted = true;
        take();
        delimiter += charAt(index) ?? '';
      } else if (/[\s;&|()<>]/.test(char)) break;
      else delimiter += char;
      take();
    }
    return delimiter === '' ? undefined : { kind: 'heredoc', delimiter, quoted, stripTabs, lineStart: true };
  }
}

/** Is the line starting at `at` the here-document's delimiter? */
function endsHeredoc(tokens: Token[], at: number, frame: Extract<Frame, { kind: 'heredoc' }>): boolean {
  let line = '';
  for (let index = at; index < tokens.length && tokens[index] !== '\n'; index++) {
    const token = tokens[index];
    if (typeof token !== 'string') return false;
    line += token;
  }
  return (frame.stripTabs ? line.replace(/^\t+/, '') : line) === frame.delimiter;
}

/** The variable of a placeholder: one per distinct expression, named after it. */
function bind(bindings: Map<string, Binding>, ref: Reference): string {
  const known = bindings.get(ref.expression);
  if (known) return known.variable;
  const base = `RG_${ref.namespace === '' ? 'CAPTURE' : ref.namespace.toUpperCase()}_${ref.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const taken = new Set([...bindings.values()].map((binding) => binding.variable));
  let variable = base;
  for (let n = 2; taken.has(variable); n++) variable = `${base}_${n}`;
  bindings.set(ref.expression, { variable, reference: ref });
  return variable;
}

/** The expansion of `variable`, quoted for where it stands, so its value stays one piece of data. */
function reference(variable: string, frame: Frame): string {
  switch (frame.kind) {
    case 'single':
      return `'"\${${variable}}"'`;
    case 'double':
    case 'arith':
    case 'heredoc':
      return `\${${variable}}`;
    case 'param':
      return frame.quoted ? `\${${variable}}` : `"\${${variable}}"`;
    case 'command':
      return `"\${${variable}}"`;
  }
}

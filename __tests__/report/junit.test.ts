import { describe, expect, test } from '@jest/globals';
import { renderJUnit, xmlAttribute, xmlText } from '../../src/report/junit.ts';
import { renderJson } from '../../src/report/json.ts';
import { allItems } from '../../src/report/model.ts';
import { fixtureReport } from './fixture.ts';

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

/**
 * A strict little parser for the XML we write: every tag balanced, attributes double-quoted
 * without a raw < or &, text without a raw < or a bare &. It throws on anything else.
 */
function parseXml(xml: string): Element {
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const root: Element = { name: '#root', attributes: {}, children: [], text: '' };
  const stack = [root];
  const entity = /&(amp|lt|gt|quot|apos|#\d+);/g;
  const token = /<(\/?)([A-Za-z-]+)((?:\s+[A-Za-z-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    const [, closing, name, attributeText, selfClosing, text] = match;
    const current = stack.at(-1) as Element;
    if (text !== undefined) {
      if (text.replace(entity, '').match(/[&<>]/)) throw new Error(`unescaped text: ${text}`);
      current.text += text;
      continue;
    }
    if (closing) {
      if (current.name !== name) throw new Error(`</${name}> closes <${current.name}>`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of (attributeText ?? '').matchAll(/([A-Za-z-]+)="([^"]*)"/g)) {
      if ((value as string).replace(entity, '').match(/[&<>]/)) throw new Error(`unescaped attribute ${key}: ${value}`);
      attributes[key as string] = value as string;
    }
    const element: Element = { name: name as string, attributes, children: [], text: '' };
    current.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (consumed !== body.length) throw new Error(`cannot parse from: ${body.slice(consumed, consumed + 80)}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  const [top] = root.children;
  if (!top || root.children.length !== 1) throw new Error('expected one root element');
  return top;
}

function decode(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('renderJUnit', () => {
  const report = fixtureReport();
  const xml = renderJUnit(report);
  const suites = parseXml(xml);
  const cases = suites.children.flatMap((suite) => suite.children.filter((child) => child.name === 'testcase'));

  test('is well-formed XML with one testcase per item', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(suites.name).toBe('testsuites');
    expect(xml.split('<testcase ').length - 1).toBe(allItems(report).length);
    expect(cases).toHaveLength(11);
    expect(cases.every((element) => element.name === 'testcase')).toBe(true);
  });

  test('counts blocking failures and errors, and skipped (skip, pending, advisory failures) on each suite', () => {
    expect(suites.attributes).toEqual({ name: 'readiness-gate: .github/readiness.yml', tests: '11', failures: '2', errors: '1', time: '4.321' });
    expect(suites.children.map((suite) => [suite.attributes.name, suite.attributes.tests, suite.attributes.failures, suite.attributes.errors, suite.attributes.skipped])).toEqual([
      ['Security', '5', '1', '1', '1'],
      ['Database', '4', '0', '0', '2'],
      ['Performance', '2', '1', '0', '1'],
    ]);
  });

  test('puts sub-sections into the classname and seconds into time', () => {
    const first = cases[0] as Element;
    expect(decode(first.attributes.name as string)).toBe('`DEBUG = False` in production');
    expect(first.attributes.classname).toBe('Security.Django Security Settings');
    expect(first.attributes.time).toBe('0.120');
    expect(first.children).toEqual([]);
    expect(cases.find((element) => element.attributes.name === 'All migrations applied')?.attributes.classname).toBe('Database');
  });

  test('a failure carries the summary and the failed assertions, escaped', () => {
    const ssl = cases[1] as Element;
    const [failure] = ssl.children;
    expect(failure?.name).toBe('failure');
    expect(failure?.attributes.type).toBe('fail');
    expect(decode(failure?.attributes.message as string).startsWith('status: expected one of [301, 308], got 200 <script>alert(1)</script>')).toBe(true);
    const body = decode(failure?.text ?? '');
    expect(body).toContain('header location: expected starts with https://, got <script>alert(1)</script>');
    expect(body).toContain('request: GET http://staging.example.com/');
    expect(body).not.toContain('header server');
    expect(xml).not.toContain('<script>');
  });

  test('error, skipped, pending and flaky each have their element', () => {
    const byName = (name: string) => cases.find((element) => element.attributes.name === name) as Element;
    expect(byName('API rate limiting enabled').children[0]).toMatchObject({ name: 'error', attributes: { type: 'error' } });
    expect(byName('Backup restoration tested').children[0]).toMatchObject({ name: 'skipped', attributes: { message: 'skip: needs BACKUP_URL' } });
    expect(byName('Migration rollback plan documented').children[0]).toMatchObject({ name: 'skipped', attributes: { message: 'pending: waiting for sign-off' } });
    expect(byName('CORS properly configured').children[0]).toMatchObject({ name: 'system-out', text: 'flaky: passed after 2 attempts. passed on attempt 2' });
    expect(byName('No unapplied migrations').children.map((child) => child.name)).toEqual(['skipped', 'system-out']);
    expect(byName('No unapplied migrations').children[0]).toMatchObject({ attributes: { message: 'advisory, failed (does not block): exit code 1', type: 'advisory-fail' } });
    expect(byName('Off-site backup storage').children).toEqual([]);
  });

  test('drops characters XML 1.0 cannot hold, such as the ESC in command output', () => {
    // eslint-disable-next-line no-control-regex -- control characters are what this matches
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml).toContain('[31mred[0m');
  });
});

describe('xml escaping', () => {
  test('text escapes markup and strips invalid characters but keeps emoji', () => {
    expect(xmlText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(xmlText('a\u0000b\u001bc\uFFFEd\uD800e😀\tf\ng')).toBe('abcde😀\tf\ng');
    expect(xmlText('ab\u202Ecd\u2066e\u200Bf\uFEFF')).toBe('abcdef');
  });

  test('attributes also escape quotes and keep line breaks as references', () => {
    expect(xmlAttribute(`say "hi" it's\n<ok>`)).toBe('say &quot;hi&quot; it&apos;s&#10;&lt;ok&gt;');
  });
});

describe('renderJson', () => {
  test('is the report as pretty JSON with a trailing newline', () => {
    const report = fixtureReport();
    const json = renderJson(report);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json).toContain('\n  "schemaVersion": 1,\n');
    expect(JSON.parse(json)).toEqual(report);
  });
});

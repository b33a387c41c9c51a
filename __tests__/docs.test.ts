// The README's inputs and outputs tables must say what action.yml says.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml;
const readme = readFileSync('README.md', 'utf8');

/** Rows of the first table after a heading: the cells of each row, backticks removed. */
function table(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no "${heading}" section`);
  const lines = readme.slice(start).split('\n').slice(2);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/^`|`$/g, '')));
    } else if (inTable) break;
  }
  return rows.slice(2); // header and separator
}

describe('README and action.yml', () => {
  test('the action runs on node24 from the bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  test('the inputs table lists every input with its default, in the same order', () => {
    const rows = table('### Inputs');
    expect(rows.map((row) => row[0])).toEqual(Object.keys(action.inputs));
    for (const [name, input] of Object.entries(action.inputs)) {
      const row = rows.find((candidate) => candidate[0] === name) as string[];
      expect([name, row[1]]).toEqual([name, input.default ?? '']);
    }
  });

  test('the outputs table lists every output, in the same order', () => {
    expect(table('### Outputs').map((row) => row[0])).toEqual(Object.keys(action.outputs));
  });

  test('the README gives the two set-up commands and the permissions the action needs', () => {
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toContain('npm test');
    for (const permission of ['contents: read', 'pull-requests: write', 'checks: write', 'statuses: write']) expect(readme).toContain(permission);
  });
});

// The README's workflow recipes work as copied: within a recipe, a workflow_run stage
// listens to a workflow name another stage has, downloads an artifact another stage
// uploads; the Django recipe gives the job every env and secret the django template
// reads, and collects static files before the checks; templates point at the released schema.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DJANGO_TEMPLATE } from '../src/cli/templates/django.ts';
import { SCHEMA_URL } from '../src/manifest/schema-url.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  name?: string;
  on?: Record<string, unknown> | string;
  env?: Record<string, string>;
  jobs?: Record<string, { env?: Record<string, string>; steps?: Step[] }>;
}

/** The YAML blocks that are workflows (they have jobs), grouped by the ### heading they are under. */
function workflowsBySection(markdown: string): Map<string, Workflow[]> {
  const sections = new Map<string, Workflow[]>();
  let heading = '';
  for (const part of markdown.split(/^(```yaml\n[\s\S]*?^```)$/m)) {
    if (part.startsWith('```yaml\n')) {
      const doc = parse(part.slice('```yaml\n'.length, -3)) as unknown;
      if (doc && typeof doc === 'object' && 'jobs' in doc) sections.set(heading, [...(sections.get(heading) ?? []), doc as Workflow]);
      continue;
    }
    const headings = [...part.matchAll(/^#{2,3} (.+)$/gm)];
    if (headings.length > 0) heading = (headings.at(-1) as RegExpMatchArray)[1] as string;
  }
  return sections;
}

const steps = (workflow: Workflow): Step[] => Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);
const sections = workflowsBySection(README);

describe('README recipes', () => {
  test('the README has the recipes this test reads', () => {
    expect([...sections.keys()]).toEqual(expect.arrayContaining(['Use it in a workflow', 'Django', 'Fork pull requests']));
  });

  test.each([...sections.entries()])('%s: every workflow_run listens to a name a workflow of the recipe has', (_heading, workflows) => {
    const names = new Set(workflows.map((workflow) => workflow.name).filter(Boolean));
    for (const workflow of workflows) {
      const on = typeof workflow.on === 'object' ? workflow.on : {};
      const listened = ((on.workflow_run as { workflows?: string[] } | undefined)?.workflows ?? []);
      for (const name of listened) expect(names).toContain(name);
    }
  });

  test.each([...sections.entries()])('%s: every downloaded artifact is one a workflow of the recipe uploads', (_heading, workflows) => {
    const uploaded = new Set(workflows.flatMap(steps).filter((step) => step.uses?.startsWith('actions/upload-artifact')).map((step) => step.with?.name));
    for (const step of workflows.flatMap(steps).filter((entry) => entry.uses?.startsWith('actions/download-artifact'))) expect(uploaded).toContain(step.with?.name);
  });

  test('Django: the job provides every env and secret the template reads, and collects static files before the checks', () => {
    const [workflow] = sections.get('Django') as Workflow[];
    const job = Object.values(workflow?.jobs ?? {})[0] as { env?: Record<string, string>; steps: Step[] };
    const gate = job.steps.findIndex((step) => step.uses?.startsWith('readiness-gate/readiness-gate'));
    const provided = { ...workflow?.env, ...job.env, ...job.steps[gate]?.env };
    const needed = [...new Set([...DJANGO_TEMPLATE.matchAll(/\{\{\s*(?:env|secrets)\.([A-Z0-9_]+)\s*\}\}/g)].map((match) => match[1] as string))];
    expect(needed.length).toBeGreaterThan(2);
    for (const name of needed) expect(Object.keys(provided)).toContain(name);
    expect(job.steps.findIndex((step) => step.uses?.startsWith('actions/setup-python'))).toBeGreaterThanOrEqual(0);
    const install = job.steps.findIndex((step) => /pip install -r requirements\.txt/.test(step.run ?? ''));
    const collect = job.steps.findIndex((step) => /manage\.py collectstatic/.test(step.run ?? ''));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(collect).toBeGreaterThan(install);
    expect(gate).toBeGreaterThan(collect);
  });

  test('templates point at the schema of the released version, not main', () => {
    expect(SCHEMA_URL).toBe(`https://raw.githubusercontent.com/readiness-gate/readiness-gate/v${PACKAGE.version}/schema/readiness.schema.json`);
    expect(README).toContain(`$schema=https://raw.githubusercontent.com/readiness-gate/readiness-gate/v${PACKAGE.version}/schema/readiness.schema.json`);
    expect(README).not.toContain('readiness-gate/main/schema');
  });
});

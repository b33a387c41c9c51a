import { describe, expect, test } from '@jest/globals';
import { formatError, loadManifest } from '../../src/manifest/load.ts';

const FILE = '.github/readiness.yml';
const TODAY = new Date('2026-12-06T10:00:00Z');

const POLICY = `version: 1
policy:
  roles:
    technical lead:   { users: [alice], teams: [acme/tech-leads] }
    operations lead:  { teams: [acme/sre] }
    business lead:    { users: [bob, carol] }
  signOff: { via: review, invalidateOnPush: true, distinctPeople: false }
  waivers: { approvers: [operations lead], maxDays: 30 }
sections:
  - title: Sign-Off
    items:
      - title: Security review passed
        id: security-review
        manual: { owner: technical lead, signers: [technical lead, operations lead] }
      - title: Response time p95
        id: response-time-p95
        http: { request: GET /, expect: { status: 200 } }
`;

function load(text: string) {
  return loadManifest(text, FILE, { today: TODAY });
}

function errorsOf(text: string): string[] {
  const result = load(text);
  if (result.ok) throw new Error('expected the manifest to be invalid');
  return result.errors.map(formatError);
}

describe('policy and waivers in the manifest', () => {
  test('the issue’s example is valid', () => {
    const result = load(`${POLICY}waivers:\n  - item: response-time-p95\n    reason: "Vendor sandbox is rate limited; JIRA-123"\n    expires: 2027-01-05\n`);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.warnings).toEqual([]);
  });

  test('an unknown role is an error at its position, with a suggestion', () => {
    const text = POLICY.replace('signers: [technical lead, operations lead]', 'signers: [technical lead, operation lead]');
    expect(errorsOf(text)).toEqual([`${FILE}:14:68  sections[0].items[0].manual.signers[1]  unknown role \`operation lead\`; did you mean \`operations lead\`?`]);
    expect(errorsOf(POLICY.replace('approvers: [operations lead]', 'approvers: [release]'))).toEqual([
      `${FILE}:8:26  policy.waivers.approvers[0]  unknown role \`release\`; policy.roles defines \`technical lead\`, \`operations lead\`, \`business lead\``,
    ]);
  });

  test('without a policy, manual owners are free text as before', () => {
    const text = `version: 1\nsections:\n  - title: A\n    items:\n      - title: Rollback plan\n        manual: { owner: release manager }\n`;
    expect(load(text).ok).toBe(true);
  });

  test('waivers: unknown item, no reason, an expiry beyond maxDays are errors; a past expiry warns', () => {
    const references = `waivers:
  - item: response-time-p59
    reason: x
    expires: 2026-12-20
  - item: response-time-p95
    reason: "JIRA-1"
    expires: 2027-02-01
`;
    expect(errorsOf(`${POLICY}${references}`)).toEqual([
      `${FILE}:19:11  waivers[0].item  no item has the id \`response-time-p59\`; did you mean \`response-time-p95\`?`,
      `${FILE}:24:14  waivers[1].expires  expires 2027-02-01, 57 days from today; policy.waivers.maxDays allows at most 30 (2027-01-05)`,
    ]);
    const shape = `waivers:
  - item: response-time-p95
    expires: 2026-12-20
  - item: response-time-p95
    reason: "  "
    expires: 2026-02-30
`;
    expect(errorsOf(`${POLICY}${shape}`)).toEqual([
      `${FILE}:19:5  waivers[0].reason  missing required key \`reason\``,
      `${FILE}:22:13  waivers[1].reason  must not be empty`,
      `${FILE}:23:14  waivers[1].expires  not a calendar date`,
    ]);
    const past = load(`${POLICY}waivers:\n  - item: response-time-p95\n    reason: JIRA-1\n    expires: 2026-12-01\n`);
    expect(past.ok).toBe(true);
    if (past.ok) expect(past.value.warnings.map(formatError)).toEqual([`${FILE}:21:14  waivers[0].expires  the waiver of \`response-time-p95\` expired on 2026-12-01; the item blocks again`]);
  });

  test('waivers without policy.waivers cannot be approved by anyone: an error', () => {
    const text = `version: 1\nsections:\n  - title: A\n    items:\n      - { title: Home, id: home, http: { request: GET / } }\nwaivers:\n  - { item: home, reason: JIRA-1, expires: 2026-12-10 }\n`;
    expect(errorsOf(text)).toEqual([`${FILE}:7:3  waivers  waivers need policy.waivers.approvers: the roles whose approving review activates a waiver`]);
  });
});

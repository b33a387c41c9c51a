// The policy's pieces of the markdown and terminal reports, in one file so layouts can
// change around them: the signed-by / awaiting suffix of a checklist line, the waiver
// suffix, who must act (the only place that mentions people, once per role), the list
// of active waivers, policy notes, and the score against the base branch.
import type { ItemReport, Report } from './model.ts';
import { escapeInline } from './escape.ts';
import { EXPIRY_WARNING_DAYS } from '../policy/waivers.ts';

const short = (sha: string) => sha.slice(0, 7);

/** "signed by @alice, @dave (review on abc1234)"; mentions neutralised (the comment is rewritten on every run). */
export function signedText(item: ItemReport): string | undefined {
  const signoff = item.signoff;
  if (!signoff || signoff.state !== 'signed') return undefined;
  const logins = [...new Set(signoff.signatures.map((signature) => `@${signature.login}`))].join(', ');
  const commits = [...new Set(signoff.signatures.filter((signature) => signature.via === 'review').map((signature) => short(signature.commit ?? '')))];
  const comments = signoff.signatures.some((signature) => signature.via === 'comment');
  const how = [commits.length ? `review on ${commits.join(', ')}` : '', comments ? 'comment' : ''].filter(Boolean).join(' and ');
  return `signed by ${logins}${how ? ` (${how})` : ''}`;
}

/** "awaiting operations lead: @acme/sre · @alice signed on abc1234, re-sign for def5678". */
export function awaitingText(item: ItemReport): string | undefined {
  const signoff = item.signoff;
  if (!signoff || signoff.state !== 'pending') return undefined;
  const roles = signoff.awaiting.map((call) => `${call.role}${call.members.length ? `: ${call.members.join(', ')}` : ''}`).join('; ');
  return [`awaiting ${roles}`, ...signoff.reasons.map((reason) => reason.message)].join(' · ');
}

/** The waiver's state on the item's line: "waived: <reason> — approved by @dave until 2027-01-15 (expires in 3 days)". */
export function waiverText(item: ItemReport): string | undefined {
  const waiver = item.waiver;
  if (!waiver) return undefined;
  if (waiver.status !== 'active') return waiver.note.message;
  return `waived: ${waiver.reason} — approved by @${waiver.approver ?? '?'} until ${waiver.expires}${expiresSoon(waiver.daysLeft)}`;
}

function expiresSoon(daysLeft: number): string {
  return daysLeft <= EXPIRY_WARNING_DAYS ? ` (expires in ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'})` : '';
}

/** Markdown suffix of a checklist line for the policy's states (escaped: reasons quote logins and manifest text). */
export function policySuffix(item: ItemReport): string | undefined {
  const parts = [signedText(item), awaitingText(item), waiverText(item)].filter((part): part is string => part !== undefined);
  return parts.length ? parts.map((part) => escapeInline(part, 400)).join(' · ') : undefined;
}

/** Who must act: one line per role with live mentions of its members (logins and teams from the policy, validated). */
export function whoMustActBlock(report: Report): string | undefined {
  const awaiting = report.verdict.awaiting ?? [];
  if (awaiting.length === 0) return undefined;
  const lines = awaiting.map((role) => `- **${escapeInline(role.role, 100)}** (${role.items} ${role.items === 1 ? 'item' : 'items'}): ${role.members.length ? role.members.join(' ') : '_nobody holds this role_'}`);
  return [`**Sign-off needed** — approve this pull request as:`, lines.join('\n')].join('\n\n');
}

export function activeWaiversBlock(report: Report): string | undefined {
  const waivers = report.policy?.waivers ?? [];
  if (waivers.length === 0) return undefined;
  const lines = waivers.map((waiver) =>
    `- ${escapeInline(waiver.title, 200)} — ${escapeInline(waiver.reason, 300)} · approved by ${escapeInline(`@${waiver.approver ?? '?'}`, 60)} · until ${waiver.expires}${expiresSoon(waiver.daysLeft)}`,
  );
  return `**Active waivers (${waivers.length}):**\n\n${lines.join('\n')}`;
}

export function policyNotesBlock(report: Report): string | undefined {
  const notes = report.policy?.notes ?? [];
  if (notes.length === 0) return undefined;
  return notes.map((note) => `> ℹ️ ${escapeInline(note.message, 500)}`).join('\n>\n');
}

/** "82% (▲ 6 vs main)" or "82%". */
export function scoreText(report: Report): string {
  const { score, baseline } = report.verdict;
  if (!baseline) return `${score}%`;
  const delta = score - baseline.score;
  const arrow = delta > 0 ? `▲ ${delta}` : delta < 0 ? `▼ ${-delta}` : '= 0';
  return `${score}% (${arrow} vs ${baseline.branch})`;
}

/** The verdict heading word: ready, awaiting sign-off, not ready. */
export function verdictLabel(report: Report): string {
  const state = report.verdict.state ?? (report.verdict.ready ? 'ready' : 'not-ready');
  return state === 'ready' ? '✅ Ready' : state === 'awaiting-sign-off' ? '✍️ Awaiting sign-off' : '❌ Not ready';
}

/** Plain lines for the terminal: who must act, active waivers, notes. */
export function policyTerminalLines(report: Report): string[] {
  const lines: string[] = [];
  for (const role of report.verdict.awaiting ?? []) lines.push(`awaiting ${role.role} (${role.items} ${role.items === 1 ? 'item' : 'items'}): ${role.members.join(', ') || 'nobody holds this role'}`);
  for (const waiver of report.policy?.waivers ?? []) lines.push(`waived: ${waiver.title} — ${waiver.reason} (approved by @${waiver.approver ?? '?'}, until ${waiver.expires})`);
  for (const note of report.policy?.notes ?? []) lines.push(note.message);
  return lines;
}

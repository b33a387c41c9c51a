import { distance } from 'fastest-levenshtein';

/** The closest known word to a misspelled one, if it is close enough to be a typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    // Case-only and separator-only differences (followRedirects / follow_redirects) are the likeliest typos.
    const d = normalise(candidate) === normalise(word) ? 0 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

function normalise(word: string): string {
  return word.toLowerCase().replace(/[_-]/g, '');
}

/**
 * Rules every text setting and facility field shares: no invisible or line-breaking characters,
 * NFC form, and one-line messages that show a value safely.
 */

/**
 * Characters no setting may hold: controls (C0, C1, DEL), format characters (zero-width, bidi
 * overrides and isolates, BOM), line and paragraph separators, private-use, unassigned code
 * points and lone surrogates. They hide text, reorder it on screen, or end a line in YAML.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/u;

/** The first unsafe character of `s` as U+XXXX, or undefined when there is none. */
export function unsafeCharacter(s: string): string | undefined {
  const m = UNSAFE.exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : undefined;
}

/** How two codes (or hosts) are compared: one normalization, one case. */
export function foldForCompare(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

/** A value shown in a message: JSON-quoted (so invisible characters show as escapes), cut short. */
export function show(v: unknown): string {
  let text: string;
  if (typeof v === "string") text = JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  else if (v === undefined) text = "nothing";
  else {
    try {
      text = JSON.stringify(v) ?? String(v);
    } catch {
      text = String(v);
    }
    if (text.length > 80) text = `${text.slice(0, 80)}…`;
  }
  // JSON.stringify leaves U+2028/2029 and other format characters as they are: escape them too.
  return text.replace(/[\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\p{Cc}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`);
}

/** Levenshtein distance, for "did you mean" (keys are short: quadratic is fine). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The known key a mistyped one was probably meant as. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > 100) return undefined;
  const k = key.toLowerCase();
  return known.find((c) => editDistance(c.toLowerCase(), k) <= 2 || (k.startsWith(c.toLowerCase()) && c.length >= 4));
}

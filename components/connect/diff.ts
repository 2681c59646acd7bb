/**
 * Compares the connector config we declare with what Connect holds. Connect adds keys of its own
 * (`name`, defaults) and may mask secret values; neither is a change. Keys are compared as a set,
 * so their order never matters.
 */

/** Keys whose values differ, were added or were removed, sorted. */
export function changedConfigKeys(declared: Record<string, string>, actual: Record<string, string>, previouslyDeclared: string[] = []): string[] {
  // Values Connect shows in place of a secret: equal to whatever we declared. Kept inside the
  // function: dynamic providers are serialized, and a module-level Set would not survive it.
  const masks = ["[hidden]", "********"];
  const changed: string[] = [];
  for (const [key, value] of Object.entries(declared)) {
    const got = actual[key];
    if (got === undefined || (got !== value && !masks.includes(got))) changed.push(key);
  }
  // A key we declared before and dropped now is a removal; keys we never declared are Connect's.
  for (const key of previouslyDeclared) {
    if (!(key in declared) && key in actual && !changed.includes(key)) changed.push(key);
  }
  return changed.sort();
}

/** Connect's view of a config, reduced to the keys we declare (what state keeps). */
export function declaredView(actual: Record<string, string>, declaredKeys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...declaredKeys].sort()) if (key in actual) out[key] = actual[key];
  return out;
}

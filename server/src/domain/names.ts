// Names people give things (users, providers, API tokens) are shown to other people: in share
// pickers, the wizard, lists. Control characters (NUL, line breaks, escapes) and the Unicode
// controls that reorder text (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) would let a name hide
// or disguise what follows it, so they are refused. Joiners stay: emoji sequences need them.
import { validationFailed } from './errors.js';

// Cc: C0 and C1 controls; bidi embeddings, overrides, isolates and marks; line and paragraph
// separators.
const unsafeInName = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/u;

/** The name trimmed; throws validation_failed naming `field` when it has a refused character. */
export function checkedName(name: string, field = 'name'): string {
  if (unsafeInName.test(name)) {
    throw validationFailed({ [field]: 'must not contain control characters or bidirectional text controls' });
  }
  return name.trim();
}

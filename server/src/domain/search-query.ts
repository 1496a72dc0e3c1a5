// What a person types in the search box, made safe for each dialect's full-text syntax.
// Words and "quoted phrases" must all match; `-word` excludes. Operators of the underlying
// engines (FTS5's NEAR, column filters, `*`; tsquery's `&|!`) are never passed through, so no
// input can make a query fail or behave differently on the two databases.

export interface SearchTerm {
  text: string;
  exclude: boolean;
}

/** Longest input considered; the rest is ignored rather than rejected. */
const maxQueryChars = 500;
const maxTerms = 20;

/** Terms of the query; empty when it has nothing to search for. */
export function parseSearchQuery(input: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const pattern = /(-?)(?:"([^"]*)"?|(\S+))/g;
  for (const match of input.slice(0, maxQueryChars).matchAll(pattern)) {
    const raw = match[2] ?? match[3] ?? '';
    // Only letters and digits carry meaning for both tokenizers; `@` splits an address the way
    // the PostgreSQL index was built (see 006_search).
    const text = raw
      .replace(/[^\p{L}\p{N}.@_'-]+/gu, ' ')
      .replace(/@/g, ' ')
      .trim();
    if (text === '' || !/[\p{L}\p{N}]/u.test(text)) continue;
    terms.push({ text, exclude: match[1] === '-' });
    if (terms.length >= maxTerms) break;
  }
  // A query of exclusions alone would match nearly everything: that is not a search.
  return terms.some((t) => !t.exclude) ? terms : [];
}

const fts5Phrase = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** An FTS5 MATCH expression: every phrase quoted, exclusions after `NOT`. */
export function toFts5Match(terms: SearchTerm[]): string {
  const include = terms.filter((t) => !t.exclude).map((t) => fts5Phrase(t.text));
  const exclude = terms.filter((t) => t.exclude).map((t) => fts5Phrase(t.text));
  return include.join(' AND ') + exclude.map((e) => ` NOT ${e}`).join('');
}

/** Input for PostgreSQL's websearch_to_tsquery with the same meaning. */
export function toWebsearch(terms: SearchTerm[]): string {
  return terms.map((t) => `${t.exclude ? '-' : ''}"${t.text.replace(/"/g, ' ')}"`).join(' ');
}

// A plain-text rendering of a message that has only HTML (newsletters, notifications, many
// business systems send nothing else): what `text`, the snippet and the search index are made of.
// html-to-text, the renderer mailparser itself uses, rather than patterns over markup.
import { compile, type HtmlToTextOptions } from 'html-to-text';

/** Headings as the sender wrote them (html-to-text capitalises them by default). */
const headings = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

const common: HtmlToTextOptions = {
  // Lines as the HTML breaks them; wrapping at a width would split words for search.
  wordwrap: false,
  // Long newsletters: stop reading markup well past what is shown or indexed.
  limits: { maxInputLength: 5_000_000 },
};

/** Links keep their address, `text [https://…]`, unless the text already is the address. */
const toText = compile({
  ...common,
  selectors: [
    ...headings,
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['[', ']'] } },
    { selector: 'img', format: 'skip' },
  ],
});

/** The snippet reads like the message: link texts without their addresses. */
const toSnippetText = compile({
  ...common,
  limits: { maxInputLength: 200_000 },
  selectors: [
    ...headings,
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
  ],
});

export interface HtmlText {
  text: string;
  /** plain text for the snippet (made short by the caller) */
  snippetText: string;
}

export function htmlText(html: string): HtmlText {
  return { text: toText(html).trim(), snippetText: toSnippetText(html).trim() };
}

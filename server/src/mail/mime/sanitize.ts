// HTML mail is stored sanitised for display: an allow-list of tags and attributes, no scripts,
// event handlers, forms, frames or `javascript:` links. Remote images do not load until the user
// allows them: their `src` moves to `data-remote-src` for the reading pane to restore.
// `cid:` references to inline parts and `data:` images stay as they are.
import sanitizeHtml from 'sanitize-html';

const safeStyleValue = /^(?!.*(?:url\s*\(|expression\s*\(|javascript:|@import)).*$/i;
const styleProperties = [
  'color',
  'background-color',
  'font',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'text-align',
  'text-decoration',
  'text-transform',
  'line-height',
  'letter-spacing',
  'vertical-align',
  'white-space',
  'margin',
  'margin-top',
  'margin-bottom',
  'margin-left',
  'margin-right',
  'padding',
  'padding-top',
  'padding-bottom',
  'padding-left',
  'padding-right',
  'border',
  'border-top',
  'border-bottom',
  'border-left',
  'border-right',
  'border-color',
  'border-style',
  'border-width',
  'border-collapse',
  'border-radius',
  'width',
  'max-width',
  'min-width',
  'height',
  'max-height',
  'display',
];

const isRemote = (url: string): boolean => /^\s*(?:https?:)?\/\//i.test(url);

const options: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'font',
    'center',
    'span',
    'div',
    'u',
    's',
    'strike',
    'small',
    'big',
    'sub',
    'sup',
  ],
  disallowedTagsMode: 'discard',
  allowedAttributes: {
    '*': ['style', 'title', 'dir', 'lang', 'align', 'valign', 'width', 'height', 'bgcolor', 'color'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'data-remote-src', 'border'],
    font: ['face', 'size', 'color'],
    table: ['border', 'cellpadding', 'cellspacing'],
    td: ['colspan', 'rowspan', 'nowrap'],
    th: ['colspan', 'rowspan', 'nowrap'],
    ol: ['start', 'type'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  allowedStyles: { '*': Object.fromEntries(styleProperties.map((p) => [p, [safeStyleValue]])) },
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' },
    }),
    img: (tagName, attribs) => {
      const { src, srcset: _srcset, ...rest } = attribs;
      if (src !== undefined && isRemote(src))
        return { tagName, attribs: { ...rest, 'data-remote-src': src.trim() } };
      return { tagName, attribs: src === undefined ? rest : { ...rest, src } };
    },
  },
};

export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, options);
}

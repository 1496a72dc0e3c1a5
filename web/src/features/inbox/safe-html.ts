// Builds the document shown in the reading pane's sandboxed frame. The frame itself is the
// wall (sandbox without allow-scripts / allow-same-origin, so nothing runs and it has no origin),
// and a Content-Security-Policy inside the document stops every network fetch: only data: URLs
// load until the person clicks "Show remote images" for this message. The clean-up below is a
// second layer over the server's sanitiser, for what CSP does not govern (a meta refresh or a
// <base> would navigate or redirect the frame; dns-prefetch links leak a lookup).

export interface SafeHtmlOptions {
  /** remote images and CSS backgrounds may load */
  allowRemote: boolean;
  /** data: URLs of inline parts by Content-ID (without angle brackets) */
  inlineParts: ReadonlyMap<string, string>;
}

const removedElements = 'script, iframe, frame, frameset, object, embed, applet, base, link, meta, portal, noscript, template';
const urlAttributes = ['href', 'src', 'action', 'formaction', 'background', 'poster', 'xlink:href', 'srcset', 'ping', 'lowsrc', 'dynsrc'];
const fetchAttributes = ['src', 'srcset', 'background', 'poster', 'lowsrc', 'dynsrc'];

const isRemote = (url: string) => /^\s*(https?:)?\/\//i.test(url);
const isScriptUrl = (url: string) => /^\s*(javascript|vbscript|data:text\/html|data:image\/svg)/i.test([...url].filter((c) => c.charCodeAt(0) > 0x20).join(''));

export function cspFor(allowRemote: boolean): string {
  const images = allowRemote ? 'data: cid: blob: https: http:' : 'data: cid: blob:';
  return `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'`;
}

/** True when the message has remote content held back (the button is worth showing). */
export function hasRemoteContent(html: string): boolean {
  return /data-remote-src|\b(src|background|srcset)\s*=\s*["']?\s*(https?:)?\/\/|url\(\s*["']?\s*(https?:)?\/\//i.test(html);
}

function cleanElement(el: Element, options: SafeHtmlOptions): void {
  for (const attr of [...el.attributes]) {
    const name = attr.name.toLowerCase();
    // Forms cannot be submitted from the frame anyway; without a target they do not even try.
    if (name.startsWith('on') || name === 'action' || name === 'formaction') el.removeAttribute(attr.name);
    else if (urlAttributes.includes(name) && isScriptUrl(attr.value)) el.removeAttribute(attr.name);
  }
  // Remote sources wait in data-remote-src (the server parks them there; raw mail may not).
  for (const name of fetchAttributes) {
    const value = el.getAttribute(name);
    if (value !== null && isRemote(value) && !options.allowRemote) {
      if (!el.hasAttribute('data-remote-src')) el.setAttribute('data-remote-src', value);
      el.removeAttribute(name);
    }
  }
  const parked = el.getAttribute('data-remote-src');
  if (parked !== null && options.allowRemote && isRemote(parked) && !isScriptUrl(parked)) el.setAttribute('src', parked);
  const src = el.getAttribute('src');
  if (src !== null && /^\s*cid:/i.test(src)) {
    const part = options.inlineParts.get(src.trim().slice(4).replace(/^<|>$/g, ''));
    if (part) el.setAttribute('src', part);
    else el.removeAttribute('src');
  }
  // SVG <use>/<image> and friends fetch what href names; only links may point elsewhere.
  const linkable = el.localName === 'a' || el.localName === 'area';
  for (const name of ['href', 'xlink:href']) {
    const value = el.getAttribute(name);
    if (value !== null && !linkable && !value.trim().startsWith('#')) el.removeAttribute(name);
  }
  if (el.localName === 'a' && el.hasAttribute('href')) {
    el.setAttribute('target', '_blank');
    el.setAttribute('rel', 'noopener noreferrer');
  }
}

/** The `srcdoc` of the reading pane's frame for a message's (already sanitised) HTML. */
export function buildSrcdoc(html: string, options: SafeHtmlOptions): string {
  // DOMParser documents are inert: parsing runs no script and loads no image.
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const el of doc.querySelectorAll(removedElements)) el.remove();
  for (const el of doc.querySelectorAll('*')) cleanElement(el, options);
  const styles = [...doc.head.querySelectorAll('style')].map((s) => s.outerHTML).join('');
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${cspFor(options.allowRemote)}">` +
    '<meta name="referrer" content="no-referrer">' +
    '<style>html,body{margin:0;padding:8px;font-family:system-ui,sans-serif;font-size:14px;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>' +
    `${styles}</head><body>${doc.body.innerHTML}</body></html>`
  );
}

/** Plain text as HTML, for messages without an HTML part (same frame, same rules). */
export function textAsHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<pre style="white-space:pre-wrap;font-family:inherit;margin:0">${escaped}</pre>`;
}

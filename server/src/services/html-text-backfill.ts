// Messages stored before HTML-only mail was rendered as plain text have an empty `text`, no
// snippet and no body words in the search index. Once per database, in the background, this gives
// them what a message parsed today gets (mail/mime/parse.ts textAndSnippet), through the message
// store, which keeps the search index current. A batch at a time, so it never holds the database
// long; a restart before the end starts over and skips what is done.
import type { MessageStore } from '../db/message-store/message-store.js';
import type { SettingsRepository } from '../db/repositories/settings.repository.js';
import type { Logger } from '../lib/logger.js';
import { textAndSnippet } from '../mail/mime/parse.js';

export interface HtmlTextBackfillDeps {
  store: Pick<MessageStore, 'htmlWithoutText' | 'fillText'>;
  settings: Pick<SettingsRepository, 'get' | 'set'>;
  logger: Logger;
}

/** set in settings once every stored message has been looked at */
export const HTML_TEXT_BACKFILL_DONE = 'backfill.html_text';
const BATCH = 100;

export class HtmlTextBackfill {
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(private readonly deps: HtmlTextBackfillDeps) {}

  /** Starts a run in the background (roles `all` and `worker`). */
  start(): void {
    this.stopping = false;
    this.running ??= this.run(() => this.stopping)
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'rendering stored HTML-only messages failed'))
      .finally(() => (this.running = undefined));
  }

  /** Stops after the batch in hand. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Renders every message still without text; returns how many it filled. */
  async run(stopped: () => boolean = () => false): Promise<number> {
    if ((await this.deps.settings.get(HTML_TEXT_BACKFILL_DONE)) === 'done') return 0;
    let filled = 0;
    let after = '';
    for (;;) {
      const batch = await this.deps.store.htmlWithoutText(after, BATCH);
      if (batch.length === 0) break;
      const rendered = batch.map(({ id, html }) => {
        const { text, snippet } = textAndSnippet(null, html);
        return { id, text: text ?? '', snippet };
      });
      await this.deps.store.fillText(rendered);
      filled += batch.length;
      after = batch[batch.length - 1]?.id ?? after;
      if (stopped()) return filled;
    }
    await this.deps.settings.set(HTML_TEXT_BACKFILL_DONE, 'done');
    if (filled > 0) this.deps.logger.info({ messages: filled }, 'plain text rendered for stored HTML-only messages');
    return filled;
  }
}

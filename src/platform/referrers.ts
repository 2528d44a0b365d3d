import type { Executor } from './db/db.js';
import type { MessageParam } from './i18n/messages.js';

/**
 * Something elsewhere that refers to a row ("2 processing module(s)"), as a message in the catalog (or plain
 * text), or undefined when nothing does.
 */
export type Referrer = (db: Executor, id: number) => Promise<MessageParam | undefined>;

/**
 * What other areas register so that a row they still use is not deleted: the owning area asks
 * before a delete and refuses with 409, saying what refers to it. Areas register in the
 * composition root, so no area imports the ones that depend on it.
 */
export class Referrers {
  private readonly list: Referrer[] = [];

  add(referrer: Referrer): void {
    this.list.push(referrer);
  }

  /** Each use of the row, asked one after another in the caller's transaction. */
  async usesOf(db: Executor, id: number): Promise<MessageParam[]> {
    const uses: MessageParam[] = [];
    for (const referrer of this.list) {
      const use = await referrer(db, id);
      if (use) uses.push(use);
    }
    return uses;
  }
}

import type { Page } from '@playwright/test';

/** A setting as the page stored it in IndexedDB (the `settings` table), or undefined. */
export function readSetting<T = unknown>(page: Page, key: string): Promise<T | undefined> {
  return page.evaluate(async (k) => {
    const open = indexedDB.open('understudy');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const row = await new Promise<{ value?: unknown } | undefined>((res, rej) => {
      const r = db.transaction('settings').objectStore('settings').get(k);
      r.onsuccess = () => res(r.result as { value?: unknown } | undefined);
      r.onerror = () => rej(r.error);
    });
    db.close();
    return row?.value;
  }, key) as Promise<T | undefined>;
}

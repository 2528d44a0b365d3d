// A list page's filters and page number, kept in the URL so a filtered list can be shared and survives a
// reload. Every change builds on the newest URL this page wrote, not on the one its last render saw: the
// router renders navigations later (in a transition), so two quick changes (a filter, then another before
// the list re-renders) both stay. Empty values leave the URL; changing a filter goes back to page 1.
import { useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

export interface UrlFilters<K extends string> {
  /** Each filter as last chosen ('' when not set). */
  values: Record<K, string>;
  page: number;
  /** Changes some filters (the others stay) and goes back to the first page. */
  set: (changes: Partial<Record<K, string>>) => void;
  setPage: (page: number) => void;
}

export function useUrlFilters<K extends string>(names: readonly K[]): UrlFilters<K> {
  const [params, setParams] = useSearchParams();
  // The URL as last rendered, read through a ref so that a handler from an older render sees it too.
  const renderedRef = useRef('');
  renderedRef.current = params.toString();
  // What this page wrote since the URL it last rendered: the newest is what the next change builds on.
  const written = useRef<{ over: string; urls: string[] }>({ over: renderedRef.current, urls: [] });
  const [, redraw] = useState(0);

  const newest = (): string => {
    const rendered = renderedRef.current;
    const w = written.current;
    const at = w.urls.indexOf(rendered);
    if (w.urls.length && (rendered === w.over || (at >= 0 && at < w.urls.length - 1))) return w.urls[w.urls.length - 1]!;
    // The router caught up with the last write, or someone navigated (a link, back): the URL is the truth.
    written.current = { over: rendered, urls: [] };
    return rendered;
  };
  const write = (change: (next: URLSearchParams) => void) => {
    const next = new URLSearchParams(newest());
    change(next);
    const url = next.toString();
    written.current = { over: written.current.over, urls: [...written.current.urls, url] };
    setParams(next);
    redraw((n) => n + 1);
  };

  const current = new URLSearchParams(newest());
  const values = Object.fromEntries(names.map((name) => [name, current.get(name) ?? ''])) as Record<K, string>;
  return {
    values,
    page: Math.max(1, Number(current.get('page')) || 1),
    set: (changes) =>
      write((next) => {
        for (const [name, value] of Object.entries(changes) as [K, string | undefined][]) {
          if (value) next.set(name, value);
          else next.delete(name);
        }
        next.delete('page');
      }),
    setPage: (page) =>
      write((next) => {
        if (page > 1) next.set('page', String(page));
        else next.delete('page');
      }),
  };
}

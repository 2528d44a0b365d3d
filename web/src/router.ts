// Client-side routing under the app's base path (/billmgr/): just the path, history and a hook.
import { useEffect, useState } from 'react';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

/** The route inside the app: "/billmgr/datacenters" → "datacenters". */
function current(): string {
  const path = window.location.pathname;
  const inside = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  return inside.replace(/^\/+|\/+$/g, '');
}

export function href(route: string): string {
  return `${BASE}/${route}`;
}

export function navigate(route: string): void {
  if (route === current()) return;
  window.history.pushState(null, '', href(route));
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): string {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

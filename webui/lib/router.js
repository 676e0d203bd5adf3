// A small history router: the path is the state; links are plain <a href>
// (so they open in new tabs and work with the keyboard), clicks on them are
// handled here without a reload.
import { useEffect, useState } from './html.js';

const listeners = new Set();

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  for (const f of listeners) f();
}

export function usePath() {
  const [, tick] = useState(0);
  useEffect(() => {
    const f = () => tick((n) => n + 1);
    listeners.add(f);
    addEventListener('popstate', f);
    return () => {
      listeners.delete(f);
      removeEventListener('popstate', f);
    };
  }, []);
  return location.pathname;
}

/** Handles clicks on same-origin links (not with modifier keys, not target=_blank). */
export function interceptLinks(root = document) {
  root.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (a.target || a.hasAttribute('download') || a.origin !== location.origin || !a.dataset.route) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  });
}

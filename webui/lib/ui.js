// Small shared pieces: relative times, state badges, error notes with the
// API's hint, teaching empty states, dialogs, copy buttons, data loading.
import { html, useCallback, useEffect, useRef, useState } from './html.js';

const units = [
  ['year', 31_536_000],
  ['month', 2_592_000],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];
const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function relative(date, now = Date.now()) {
  const s = (new Date(date).getTime() - now) / 1000;
  for (const [unit, secs] of units)
    if (Math.abs(s) >= secs || unit === 'second') return rtf.format(Math.round(s / secs), unit);
  return '';
}

/** A time shown relative ("3 minutes ago"), the absolute time on hover. */
export function Time({ value }) {
  if (!value) return html`<span class="muted">—</span>`;
  const d = new Date(value);
  return html`<time datetime=${d.toISOString()} title=${d.toLocaleString()}>${relative(d)}</time>`;
}

const TONES = {
  started: 'ok',
  active: 'ok',
  stopped: 'idle',
  paused: 'idle',
  archived: 'idle',
  inactive: 'idle',
  error: 'bad',
  build_failed: 'bad',
  destroyed: 'idle',
  unknown: 'bad',
};
export const Badge = ({ state }) =>
  html`<span class="badge tone-${TONES[state] ?? 'busy'}" data-state=${state}>${String(state ?? '').replaceAll('_', ' ')}</span>`;

/** A failed action: the API's message, and its hint when it has one. */
export function ErrorNote({ error, onDismiss }) {
  if (!error) return null;
  return html`<div class="error-note" role="alert">
    <strong>${error.message || String(error)}</strong>
    ${error.hint ? html`<p class="hint">${error.hint}</p>` : null}
    ${onDismiss ? html`<button class="link" onClick=${onDismiss}>Dismiss</button>` : null}
  </div>`;
}

export const Empty = ({ title, children }) => html`<div class="empty"><h3>${title}</h3>${children}</div>`;

/** A modal dialog (native <dialog>: focus stays inside, Escape closes). */
export function Dialog({ title, open, onClose, children, wide }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return html`<dialog ref=${ref} class=${wide ? 'wide' : ''} aria-label=${title} onClose=${() => onClose?.()} onCancel=${(
    e,
  ) => {
    e.preventDefault();
    onClose?.();
  }}>
    ${open ? html`<header><h2>${title}</h2><button class="icon" aria-label="Close" onClick=${() => onClose?.()}>×</button></header>${children}` : null}
  </dialog>`;
}

/** Asks before something that cannot be undone. */
export function Confirm({ open, title, message, action = 'Confirm', danger, onConfirm, onClose }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Dialog} title=${title} open=${open} onClose=${onClose}>
    <p>${message}</p>
    <${ErrorNote} error=${error} />
    <div class="actions">
      <button onClick=${onClose}>Cancel</button>
      <button class=${danger ? 'danger' : 'primary'} disabled=${busy} onClick=${go}>${action}</button>
    </div>
  <//>`;
}

export function CopyButton({ text, label = 'Copy' }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard access can be refused (no focus, insecure origin): select the text instead.
      const t = document.createElement('textarea');
      t.value = text;
      document.body.append(t);
      t.select();
      document.execCommand?.('copy');
      t.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  // The visible word is short; the accessible name says what is copied (and starts with the same word).
  return html`<button class="copy" onClick=${copy} aria-label=${label}>${done ? 'Copied' : label.split(' ')[0]}</button>`;
}

/** Code to copy, with a Copy button. */
export const Snippet = ({ code, label }) =>
  html`<div class="snippet"><pre tabindex="0" aria-label=${label}><code>${code}</code></pre><${CopyButton} text=${code} label=${`Copy ${label}`} /></div>`;

/** Loads data with `load()` whenever `deps` change; `reload()` loads again. */
export function useData(load, deps = []) {
  const [s, set] = useState({ data: undefined, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(async () => {
    const n = ++seq.current;
    set((p) => ({ ...p, loading: true }));
    try {
      const data = await load();
      if (n === seq.current) set({ data, error: null, loading: false });
    } catch (error) {
      if (n === seq.current) set((p) => ({ data: p.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    run();
  }, [run]);
  return { ...s, reload: run };
}

/** Runs an action, keeping its error to show (with the API's hint) until the next try. */
export function useAction() {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async (f) => {
    setBusy(true);
    setError(null);
    try {
      return await f();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, clear: () => setError(null) };
}

export const gib = (n) => (n === undefined || n === null ? '—' : `${Number(n).toLocaleString()} GiB`);
export const bytes = (n) => {
  if (n === undefined || n === null || n < 0) return '—';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${u[i]}`;
};

/** A skeleton row block of fixed height, so the layout does not jump when data arrives. */
export const Loading = ({ rows = 3 }) =>
  html`<div class="skeleton" aria-busy="true" aria-label="Loading">${Array.from({ length: rows }, () => html`<div class="skeleton-row"></div>`)}</div>`;

// Terminal tab: loads xterm (its own chunk, fetched on first use) and keeps
// one PTY session for the tab's lifetime.
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { ErrorNote } from '../lib/ui.js';

export function Terminal({ sandbox }) {
  const box = useRef(null);
  const [status, setStatus] = useState('Connecting…');
  const [error, setError] = useState(null);
  const [generation, setGeneration] = useState(0);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    let session;
    let gone = false;
    setEnded(false);
    import('./terminal-xterm.js')
      .then(({ openTerminal }) => {
        if (gone) return;
        session = openTerminal(box.current, sandbox.id, {
          status: setStatus,
          error: setError,
          ended: () => setEnded(true),
        });
      })
      .catch((e) => setError(e));
    return () => {
      gone = true;
      session?.close();
    };
  }, [sandbox.id, generation]);
  return html`<div class="terminal-tab">
    <div class="terminal-bar">
      <span role="status" aria-live="polite" class="muted">${status}</span>
      ${ended ? html`<button onClick=${() => setGeneration(generation + 1)}>New session</button>` : null}
    </div>
    <${ErrorNote} error=${error} />
    <div class="term-box" ref=${box} aria-label="Terminal"></div>
  </div>`;
}

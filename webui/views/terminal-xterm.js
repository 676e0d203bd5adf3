// xterm over the toolbox PTY WebSocket (the SDK's protocol): keystrokes go as
// binary frames, output comes back as binary frames, control messages as
// JSON text. The size follows the element; a dropped connection reconnects
// to the same PTY; leaving the tab ends it.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { api, currentOrganization, q, tb } from '../api.js';

const EXIT_CONTROL = 'X-Daytona-Pty-Exit-Control';

export function openTerminal(el, sandboxId, on) {
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const term = new Terminal({
    cursorBlink: true,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: 14,
    theme: dark
      ? { background: '#0b1220', foreground: '#e5e7eb' }
      : { background: '#ffffff', foreground: '#111827', cursor: '#111827', selectionBackground: '#bfdbfe' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  fit.fit();
  const ptyId = `ui-${crypto.randomUUID().slice(0, 8)}`;
  const enc = new TextEncoder();
  let ws = null;
  let closed = false;
  let exited = false;
  let attempts = 0;
  let everOpened = false;
  let timer = null;
  /** The PTY exists (create-connect answered): only then can it be resized. */
  let ready = false;

  const socketUrl = (path, params) =>
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${tb(sandboxId, path)}${q({ ...params, organizationId: currentOrganization() })}`;

  const connect = (first) => {
    on.status(first ? 'Connecting…' : 'Reconnecting…');
    ws = new WebSocket(
      first
        ? socketUrl('/process/pty/create-connect', { id: ptyId, cols: term.cols, rows: term.rows })
        : socketUrl(`/process/pty/${ptyId}/connect`, {}),
      [EXIT_CONTROL],
    );
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return term.write(new Uint8Array(e.data));
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return term.write(e.data);
      }
      if (m?.type !== 'control') return term.write(e.data);
      if (m.status === 'connected') {
        attempts = 0;
        on.status('Connected');
        on.error(null);
        // The size may have changed while connecting; a first resize before this would find no PTY yet (404).
        ready = true;
        resize();
        term.focus();
      } else if (m.status === 'exited') {
        exited = true;
        on.status(`Session ended (exit code ${m.exitCode})`);
        on.ended();
      } else if (m.status === 'error') {
        on.error({ message: m.error, hint: 'open a new session' });
      }
    };
    let opened = false;
    ws.onopen = () => {
      opened = true;
      everOpened = true;
    };
    ws.onclose = (e) => {
      // Until connected again (which resizes): the PTY may be gone.
      ready = false;
      if (closed || exited) return;
      if (e.code === 1008) {
        on.status('Disconnected: the session ended (signed out or key revoked)');
        return on.ended();
      }
      if (!opened && !everOpened) {
        // The upgrade itself was refused (the browser hides the HTTP answer).
        on.status('Not connected');
        on.error({
          message: 'could not open a terminal in this sandbox',
          hint: 'check that it is started, then open a new session',
        });
        return on.ended();
      }
      // Dropped (network, server restart): attach to the same PTY again, backing off.
      attempts++;
      if (attempts > 8) {
        on.status('Disconnected');
        return on.ended();
      }
      on.status('Reconnecting…');
      timer = setTimeout(() => connect(false), Math.min(250 * 2 ** attempts, 8000));
    };
  };

  let resizeTimer = null;
  const resize = () => {
    fit.fit();
    clearTimeout(resizeTimer);
    if (!ready) return;
    resizeTimer = setTimeout(
      () =>
        api('POST', tb(sandboxId, `/process/pty/${ptyId}/resize`), { cols: term.cols, rows: term.rows }).catch(
          () => {},
        ),
      100,
    );
  };
  const observer = new ResizeObserver(() => resize());
  observer.observe(el);
  term.onData((d) => ws?.readyState === WebSocket.OPEN && ws.send(enc.encode(d)));
  connect(true);

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      observer.disconnect();
      ws?.close();
      term.dispose();
      if (!exited) api('DELETE', tb(sandboxId, `/process/pty/${ptyId}`)).catch(() => {});
    },
  };
}

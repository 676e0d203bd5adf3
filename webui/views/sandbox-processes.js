// Processes tab: the sandbox's sessions and their commands; a command's log
// streams live (the SDK's follow WebSocket, stdout and stderr told apart).
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { api, currentOrganization, q, tb } from '../api.js';
import { ErrorNote, Loading, useAction, useData } from '../lib/ui.js';

const MARK = { 1: 'stdout', 2: 'stderr' };

/** Splits the follow stream (3-byte markers 01 01 01 / 02 02 02 before each stream's bytes) into [stream, text] pieces. */
export function demux() {
  let stream = null;
  let pending = new Uint8Array(0);
  const dec = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  return (chunk) => {
    const buf = new Uint8Array(pending.length + chunk.length);
    buf.set(pending);
    buf.set(chunk, pending.length);
    const out = [];
    let start = 0;
    let i = 0;
    const flush = (end) =>
      stream && end > start && out.push([stream, dec[stream].decode(buf.subarray(start, end), { stream: true })]);
    for (; i < buf.length; i++) {
      const b = buf[i];
      if ((b === 1 || b === 2) && i + 2 >= buf.length) break; // a marker may continue in the next chunk
      if ((b === 1 || b === 2) && buf[i + 1] === b && buf[i + 2] === b) {
        flush(i);
        stream = MARK[b];
        i += 2;
        start = i + 1;
      }
    }
    flush(i);
    pending = buf.slice(i);
    return out;
  };
}

function Logs({ sandbox, sid, cmd }) {
  const [lines, setLines] = useState([]);
  const [done, setDone] = useState(false);
  const pre = useRef(null);
  useEffect(() => {
    setLines([]);
    setDone(false);
    const split = demux();
    const ws = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${tb(sandbox.id, `/process/session/${encodeURIComponent(sid)}/command/${encodeURIComponent(cmd)}/logs`)}${q({ follow: 'true', organizationId: currentOrganization() })}`,
    );
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e) => {
      const pieces = split(typeof e.data === 'string' ? new TextEncoder().encode(e.data) : new Uint8Array(e.data));
      if (pieces.length) setLines((l) => [...l, ...pieces].slice(-2000));
    };
    ws.onclose = () => setDone(true);
    return () => ws.close();
  }, [sid, cmd]);
  useEffect(() => pre.current && (pre.current.scrollTop = pre.current.scrollHeight), [lines]);
  return html`<div class="logs">
    <p class="muted" role="status">${done ? 'Log complete' : 'Following the log…'}</p>
    <pre ref=${pre} tabindex="0" aria-label="Command output">${lines.map(([s, t]) => html`<span class=${s}>${t}</span>`)}</pre>
  </div>`;
}

export function Processes({ sandbox }) {
  const sessions = useData(() => api('GET', tb(sandbox.id, '/process/session')), [sandbox.id]);
  const [open, setOpen] = useState(null);
  const [command, setCommand] = useState('');
  const act = useAction();
  const run = (e) => {
    e.preventDefault();
    act.run(async () => {
      const sid = 'web-ui';
      if (!(sessions.data ?? []).some((s) => s.sessionId === sid))
        await api('POST', tb(sandbox.id, '/process/session'), { sessionId: sid });
      const r = await api('POST', tb(sandbox.id, `/process/session/${sid}/exec`), { command, runAsync: true });
      setCommand('');
      setOpen({ sid, cmd: r.cmdId });
      sessions.reload();
    });
  };
  const list = sessions.data ?? [];
  return html`<div class="processes">
    <form class="inline-form" onSubmit=${run}>
      <label>Run a command in the background<input value=${command} onInput=${(e) => setCommand(e.currentTarget.value)} placeholder="e.g. python3 -m http.server 8000" required spellcheck="false" /></label>
      <button class="primary" type="submit" disabled=${act.busy}>Run</button>
    </form>
    <${ErrorNote} error=${act.error || sessions.error} onDismiss=${act.clear} />
    ${!sessions.data ? html`<${Loading} />` : !list.length ? html`<p class="muted">No sessions yet. Agents and SDKs create them (process.createSession); run a command above to start one.</p>` : null}
    ${list.map(
      (s) => html`<section class="session" key=${s.sessionId}>
      <h3>Session <code>${s.sessionId}</code>${s.ended ? html` <span class="muted">(ended)</span>` : null}</h3>
      ${
        s.commands?.length
          ? html`<ul class="commands">${s.commands.map(
              (c) => html`<li>
        <button class="link" aria-label=${`Logs of ${c.command}`} onClick=${() => setOpen({ sid: s.sessionId, cmd: c.id })}><code>${c.command}</code></button>
        <span class="muted">${c.state}${c.exitCode !== undefined && c.exitCode !== null ? ` · exit ${c.exitCode}` : ''}</span>
      </li>`,
            )}</ul>`
          : html`<p class="muted">No commands.</p>`
      }
    </section>`,
    )}
    ${open ? html`<${Logs} sandbox=${sandbox} sid=${open.sid} cmd=${open.cmd} />` : null}
  </div>`;
}

// Building a snapshot from a Dockerfile, and its build log followed live:
// POST /api/snapshots {name, buildInfo}, then the stream the SDK reads
// (GET /api/snapshots/{id}/build-logs-url, then that URL with ?follow=true)
// until the build ends `active` or `build_failed` with its reason.
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { api, streamText } from '../api.js';
import { Badge, Dialog, ErrorNote, useAction, useData } from '../lib/ui.js';

const BUILDING = ['pending', 'building'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function BuildDialog({ open, onClose, onStarted }) {
  const config = useData(() => api('GET', '/config'), []);
  const [name, setName] = useState('');
  const [dockerfile, setDockerfile] = useState(null);
  const act = useAction();
  const base = config.data?.defaultSnapshot ?? 'berth/sandbox-base:latest';
  const text = dockerfile ?? `FROM ${base}\nRUN echo "add what your sandboxes need here"\n`;
  const build = (e) => {
    e.preventDefault();
    act.run(async () => {
      const buildInfo = { dockerfileContent: text, contextHashes: [] };
      const s = await api('POST', '/snapshots', { name: name.trim(), buildInfo });
      setName('');
      setDockerfile(null);
      onStarted(s);
    });
  };
  return html`<${Dialog} title="Build a snapshot" open=${open} onClose=${onClose} wide>
    <form onSubmit=${build}>
      <label>Snapshot name<input value=${name} onInput=${(e) => setName(e.currentTarget.value)} required
        placeholder="e.g. python-data" spellcheck="false" /></label>
      <label>Dockerfile<textarea class="editor dockerfile" rows="10" value=${text}
        onInput=${(e) => setDockerfile(e.currentTarget.value)} spellcheck="false" required></textarea></label>
      <p class="muted">Built on this server with the sandbox network's egress rules; <code>FROM</code> may name a local
        image or one of a registry you added. Files to <code>COPY</code> need a build context: use the SDK or
        <code>berth snapshot create --context</code>.</p>
      <${ErrorNote} error=${act.error} />
      <div class="actions">
        <button type="button" onClick=${onClose}>Cancel</button>
        <button class="primary" type="submit" disabled=${act.busy}>Build</button>
      </div>
    </form>
  <//>`;
}

/** Follows one snapshot's build: the log as it is written, the state until it settles. */
function useBuild(snapshot) {
  const [log, setLog] = useState('');
  const [s, setS] = useState(snapshot);
  const [error, setError] = useState(null);
  const [streaming, setStreaming] = useState(true);
  useEffect(() => {
    const ac = new AbortController();
    const id = encodeURIComponent(snapshot.id);
    const refresh = async () => {
      const cur = await api('GET', `/snapshots/${id}`, undefined, { signal: ac.signal });
      if (!ac.signal.aborted) setS(cur);
      return cur;
    };
    // The badge follows pending → building while the log streams.
    const poll = setInterval(() => refresh().catch(() => {}), 1000);
    (async () => {
      try {
        const { url } = await api('GET', `/snapshots/${id}/build-logs-url`, undefined, { signal: ac.signal });
        await streamText(url, (chunk) => setLog((l) => l + chunk), ac.signal);
        // The log ends with the build; its state is written right around then.
        for (let i = 0; i < 20 && BUILDING.includes((await refresh()).state); i++) await sleep(250);
      } catch (e) {
        if (!ac.signal.aborted) setError(e);
      } finally {
        clearInterval(poll);
        if (!ac.signal.aborted) setStreaming(false);
      }
    })();
    return () => {
      ac.abort();
      clearInterval(poll);
    };
  }, [snapshot.id]);
  return { log, s, error, streaming };
}

export function BuildLog({ snapshot, onClose }) {
  const { log, s, error, streaming } = useBuild(snapshot);
  const pre = useRef(null);
  // Keep the newest line in view, unless the reader scrolled up.
  const atEnd = useRef(true);
  useEffect(() => {
    const el = pre.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [log]);
  const status = streaming
    ? 'Building… the log follows as the build writes it.'
    : s.state === 'active'
      ? 'Build finished: the snapshot is ready for new sandboxes.'
      : s.state === 'build_failed'
        ? 'Build failed.'
        : `The log ended; the snapshot is ${s.state.replaceAll('_', ' ')}.`;
  return html`<${Dialog} title=${`Build of ${snapshot.name}`} open=${true} onClose=${onClose} wide>
    <p class="build-state"><${Badge} state=${s.state} /> <span role="status">${status}</span></p>
    ${
      s.state === 'build_failed' && s.errorReason
        ? html`<div class="error-note" role="alert"><strong>${s.errorReason}</strong></div>`
        : null
    }
    <${ErrorNote} error=${error} />
    <pre class="build-log" role="log" aria-label="Build log" tabindex="0" ref=${pre}
      onScroll=${(e) => {
        const el = e.currentTarget;
        atEnd.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      }}
    >${log || (streaming ? 'Waiting for the build to start…' : 'No output.')}</pre>
    <div class="actions">
      <button class="primary" onClick=${onClose}>${streaming ? 'Hide (the build goes on)' : 'Done'}</button>
    </div>
  <//>`;
}

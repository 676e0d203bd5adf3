// Snapshots: the organization's images; registering an existing image under
// a name, or building one from a Dockerfile with its log followed live.
import { html, useEffect, useState } from '../lib/html.js';
import { api, q } from '../api.js';
import { Badge, Confirm, Empty, ErrorNote, Loading, Time, useAction, useData } from '../lib/ui.js';
import { BuildDialog, BuildLog } from './snapshot-build.js';

const SETTLING = ['pending', 'building', 'pulling', 'snapshotting', 'removing'];

export function Snapshots() {
  const [page, setPage] = useState(1);
  const list = useData(() => api('GET', `/snapshots${q({ page, limit: 50 })}`), [page]);
  const [f, setF] = useState({ name: '', imageName: '' });
  const [deleting, setDeleting] = useState(null);
  const [building, setBuilding] = useState(false);
  const [logOf, setLogOf] = useState(null);
  const act = useAction();
  const items = list.data?.items ?? [];
  // States that change on their own (a build, a pull) are followed until they settle.
  const settling = items.some((s) => SETTLING.includes(s.state));
  useEffect(() => {
    if (!settling) return undefined;
    const t = setTimeout(list.reload, 1500);
    return () => clearTimeout(t);
  }, [settling, list.data]);
  const register = (e) => {
    e.preventDefault();
    act.run(async () => {
      await api('POST', '/snapshots', { name: f.name.trim(), imageName: f.imageName.trim() });
      setF({ name: '', imageName: '' });
      list.reload();
    });
  };
  return html`<section aria-labelledby="snapshots-title">
    <div class="page-head">
      <h1 id="snapshots-title">Snapshots</h1>
      <button class="primary" onClick=${() => setBuilding(true)}>Build from a Dockerfile</button>
    </div>
    <form class="inline-form" onSubmit=${register} aria-label="Register an image">
      <label>Name<input value=${f.name} onInput=${(e) => setF({ ...f, name: e.currentTarget.value })} required placeholder="e.g. python-data" /></label>
      <label>Image<input value=${f.imageName} onInput=${(e) => setF({ ...f, imageName: e.currentTarget.value })} required placeholder="e.g. berth/sandbox-base:latest" spellcheck="false" /></label>
      <button type="submit" disabled=${act.busy}>Register image</button>
    </form>
    <${ErrorNote} error=${act.error || list.error} onDismiss=${act.clear} />
    ${
      !list.data
        ? html`<${Loading} />`
        : !items.length
          ? html`<${Empty} title="No snapshots yet"><p>Register an image above (any image the Docker engine has or can pull) to create sandboxes from it by name.</p><//>`
          : html`<div class="table-wrap"><table aria-label="Snapshots">
            <thead><tr><th scope="col">Name</th><th scope="col">Image</th><th scope="col">State</th><th scope="col">Resources</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${items.map(
              (s) => html`<tr key=${s.id}>
              <td>${s.name}${s.general ? html` <span class="muted">(shared)</span>` : null}</td>
              <td class="mono">${s.imageName}</td>
              <td><${Badge} state=${s.state} />${s.errorReason ? html` <span class="muted">${s.errorReason}</span>` : null}</td>
              <td>${s.cpu} CPU · ${s.mem} GiB · ${s.disk} GiB</td>
              <td><${Time} value=${s.createdAt} /></td>
              <td class="row-actions">
                ${
                  s.hasBuildLogs
                    ? html`<button aria-label=${`Build log of ${s.name}`} onClick=${() => setLogOf(s)}>Build log</button>`
                    : null
                }
                ${s.general ? null : html`<button class="danger" aria-label=${`Delete ${s.name}`} onClick=${() => setDeleting(s)}>Delete</button>`}
              </td>
            </tr>`,
            )}</tbody>
          </table></div>
          <nav class="pager" aria-label="Pages">
            <span class="muted">Page ${list.data.page} of ${list.data.totalPages || 1}</span>
            <button disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Previous</button>
            <button disabled=${page >= (list.data.totalPages || 1)} onClick=${() => setPage(page + 1)}>Next</button>
          </nav>`
    }
    <${BuildDialog} open=${building} onClose=${() => setBuilding(false)}
      onStarted=${(s) => {
        setBuilding(false);
        setLogOf(s);
        list.reload();
      }} />
    ${
      logOf
        ? html`<${BuildLog} key=${logOf.id} snapshot=${logOf} onClose=${() => {
            setLogOf(null);
            list.reload();
          }} />`
        : null
    }
    <${Confirm} open=${!!deleting} title=${`Delete snapshot ${deleting?.name ?? ''}?`} message="Sandboxes made from it keep running; new ones cannot use it." action="Delete" danger
      onConfirm=${async () => {
        await api('DELETE', `/snapshots/${encodeURIComponent(deleting.id)}`);
        list.reload();
      }} onClose=${() => setDeleting(null)} />
  </section>`;
}

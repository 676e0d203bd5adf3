// The "Create sandbox" dialog: name, image or snapshot, resources, env,
// labels, auto-stop and network policy. Sends Daytona's create body.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Dialog, ErrorNote, useData } from '../lib/ui.js';

/** `KEY=value` lines into an object; blank lines and # comments are skipped. */
export function parsePairs(text, what) {
  const out = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1)
      throw Object.assign(new Error(`${what}: "${line}" is not KEY=value`), {
        hint: `write one ${what.toLowerCase()} per line, like team=research`,
      });
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

export function CreateSandbox({ open, onClose, onCreated }) {
  const snapshots = useData(() => (open ? api('GET', '/snapshots?limit=100') : Promise.resolve(null)), [open]);
  const [f, setF] = useState({
    name: '',
    image: '',
    cpu: '',
    memory: '',
    disk: '',
    env: '',
    labels: '',
    autoStop: '15',
    network: 'default',
    allowList: '',
  });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const items = snapshots.data?.items ?? [];

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    let body;
    try {
      body = {
        ...(f.name.trim() ? { name: f.name.trim() } : {}),
        ...(f.image.trim()
          ? items.some((s) => s.name === f.image.trim())
            ? { snapshot: f.image.trim() }
            : { image: f.image.trim() }
          : {}),
        ...(f.cpu ? { cpu: Number(f.cpu) } : {}),
        ...(f.memory ? { memory: Number(f.memory) } : {}),
        ...(f.disk ? { disk: Number(f.disk) } : {}),
        env: parsePairs(f.env, 'Env'),
        labels: parsePairs(f.labels, 'Labels'),
        ...(f.autoStop !== '' ? { autoStopInterval: Number(f.autoStop) } : {}),
        ...(f.network === 'block' ? { networkBlockAll: true } : {}),
        ...(f.network === 'allow' ? { networkAllowList: f.allowList.trim() } : {}),
      };
    } catch (err) {
      return setError(err);
    }
    setBusy(true);
    try {
      const s = await api('POST', '/sandbox', body);
      onCreated(s);
      setF({ ...f, name: '' });
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<${Dialog} title="Create sandbox" open=${open} onClose=${onClose} wide>
    <form class="form-grid" onSubmit=${submit}>
      <label>Name<input name="name" value=${f.name} onInput=${set('name')} placeholder="optional, e.g. demo" autocomplete="off" /></label>
      <label>Image or snapshot
        <input name="image" list="snapshot-names" value=${f.image} onInput=${set('image')} placeholder="default image" autocomplete="off" />
        <datalist id="snapshot-names">${items.map((s) => html`<option value=${s.name}>${s.imageName}</option>`)}</datalist>
      </label>
      <label>CPU (cores)<input name="cpu" type="number" min="0.1" step="0.1" value=${f.cpu} onInput=${set('cpu')} placeholder="default" /></label>
      <label>Memory (GiB)<input name="memory" type="number" min="0.125" step="0.125" value=${f.memory} onInput=${set('memory')} placeholder="default" /></label>
      <label>Disk (GiB)<input name="disk" type="number" min="1" step="1" value=${f.disk} onInput=${set('disk')} placeholder="default" /></label>
      <label>Auto-stop (minutes idle, 0 = never)<input name="autoStop" type="number" min="0" step="1" value=${f.autoStop} onInput=${set('autoStop')} /></label>
      <label class="span">Env (one KEY=value per line)<textarea name="env" rows="2" value=${f.env} onInput=${set('env')} spellcheck="false"></textarea></label>
      <label class="span">Labels (one key=value per line)<textarea name="labels" rows="2" value=${f.labels} onInput=${set('labels')} spellcheck="false"></textarea></label>
      <label>Network policy
        <select name="network" value=${f.network} onChange=${set('network')}>
          <option value="default">Organization default</option>
          <option value="block">Block all network</option>
          <option value="allow">Allow only these CIDRs</option>
        </select>
      </label>
      ${f.network === 'allow' ? html`<label>Allowed CIDRs (comma-separated)<input name="allowList" value=${f.allowList} onInput=${set('allowList')} placeholder="203.0.113.0/24" /></label>` : html`<span></span>`}
      <div class="span"><${ErrorNote} error=${error} /></div>
      <div class="actions span">
        <button type="button" onClick=${onClose}>Cancel</button>
        <button class="primary" type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create'}</button>
      </div>
    </form>
  <//>`;
}

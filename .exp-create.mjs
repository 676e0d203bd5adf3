// temporary experiment (not committed)
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
const docker = new Docker();
const IMAGE = 'berth/sandbox-base:latest';
const N = Number(process.env.N ?? 5);
const t = async (f) => { const s = performance.now(); await f(); return performance.now() - s; };
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(0);
const ids = [];
const hc = (net) => ({ CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges:true'], PidsLimit: 512, Memory: 1 << 30, MemorySwap: 1 << 30, NanoCpus: 1e9, NetworkMode: net, LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } } });
const labels = { 'berth.exp': '1' };
const res = {};
async function variant(name, f) { res[name] = []; for (let i = 0; i < N; i++) res[name].push(await t(f)); }
await variant('cli docker run -d', async () => ids.push(execFileSync('docker', ['run', '-d', '--label', 'berth.exp=1', IMAGE, 'sleep', 'infinity'], { encoding: 'utf8' }).trim()));
await variant('api create+start default bridge', async () => { const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: labels, HostConfig: hc('bridge') }); ids.push(c.id); await c.start(); });
await variant('api create+start berth net', async () => { const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: labels, HostConfig: hc('berth') }); ids.push(c.id); await c.start(); });
await variant('api create+start none', async () => { const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: labels, HostConfig: hc('none') }); ids.push(c.id); await c.start(); });
const join = [];
await variant('api create(berth)+disconnect+start+connect', async () => { const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: labels, HostConfig: hc('berth') }); ids.push(c.id); await docker.getNetwork('berth').disconnect({ Container: c.id, Force: true }); await c.start(); join.push(await t(() => docker.getNetwork('berth').connect({ Container: c.id }))); });
res['  of which connect'] = join;
const pause = [];
for (let i = 0; i < N; i++) { const p = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: labels, HostConfig: hc('berth') }); await p.start(); ids.push(p.id); pause.push(p.id); }
let k = 0;
await variant('api create+start netns of a started holder', async () => { const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', 'infinity'], Labels: labels, HostConfig: hc(`container:${pause[k++]}`) }); ids.push(c.id); await c.start(); });
for (const [k2, v] of Object.entries(res)) console.log(k2.padEnd(50), med(v), 'ms  ', v.map((x) => x.toFixed(0)).join(' '));
for (const id of ids) await docker.getContainer(id).remove({ force: true }).catch(() => {});

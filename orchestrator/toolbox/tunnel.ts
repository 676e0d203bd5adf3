// TCP connections into a started sandbox, for the preview proxy and SSH port
// forwarding. The connection counts as activity while it is open (the
// sandbox never auto-stops under it); the caller must `end` it when done.
import type { Duplex } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { isTcpPort, TUNNEL_HOST_RE, type TunnelTarget } from '../../common/wire/forward.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

export class TunnelToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  /**
   * Connects to `target.port` on the sandbox's loopback (or `target.host` as the
   * sandbox resolves it). Needs write:sandboxes. `bad_gateway` (reason
   * PORT_CLOSED) when nothing listens there; the sandbox's own errors otherwise.
   */
  async open(
    p: Principal,
    sandboxId: string,
    target: TunnelTarget,
    signal?: AbortSignal,
  ): Promise<{ value: Duplex; end: () => void }> {
    if (!isTcpPort(target.port))
      throw new AppError('invalid_argument', `port ${target.port} is not a TCP port`, { hint: 'use 1-65535' });
    if (target.host !== undefined && !TUNNEL_HOST_RE.test(target.host))
      throw new AppError('invalid_argument', `host ${JSON.stringify(target.host)} is not a host name or address`);
    return this.access.open(p, sandboxId, async ({ daemon }) => {
      const stream = await daemon.tunnel(target, signal);
      return stream;
    });
  }
}

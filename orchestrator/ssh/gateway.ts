// What the SSH gateway (gateways/ssh) asks of the orchestrator: logins by
// access token or by a person's key (with the failed-login limit per address,
// as `authenticate` does for the API), an activity hold for the life of a
// connection, the events that must end a session (token revoked, key
// removed, membership lost, sandbox deleted), and audited commands.
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { ExecAttachRequest } from '../../common/wire/exec-attach.js';
import type { AuditLog } from '../audit/log.js';
import type { Bus } from '../bus/index.js';
import { KEY_REVOKED, revokedMatches, type KeyRevokedEvent } from '../keys/service.js';
import { hasPermission } from '../keys/require.js';
import { isRole } from '../keys/permissions.js';
import type { Principal } from '../principal.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import { SANDBOX_EVENTS, type Sandbox, type SandboxEvent } from '../sandboxes/model.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Store } from '../store/db.js';
import { MembershipRepo } from '../orgs/memberships-repo.js';
import { UserRepo } from '../orgs/users-repo.js';
import type { ExecAttachToolbox, ExecAttachment } from '../toolbox/exec-attach.js';
import {
  SSH_ACCESS_REVOKED,
  SSH_TOKEN_RE,
  type SshAccessRevokedEvent,
  type SshAccessService,
  type SshEndpoint,
} from './access.js';
import { SSH_KEY_REMOVED, type SshKeyRemovedEvent, type SshKeyService } from './keys.js';

/** Where a connection comes from: the TCP peer address (SSH has no proxy headers) and an id for the audit log. */
export interface SshSource {
  ip: string;
  connectionId: string;
}

/** A person or token holder let into one sandbox. */
export interface SshLogin {
  principal: Principal;
  sandbox: Pick<Sandbox, 'id' | 'name'>;
  via: { kind: 'token'; accessId: string } | { kind: 'key'; keyId: string; fingerprint: string };
}

/** A login whose credential is good but that cannot reach the sandbox; the gateway shows the error in place of a shell. */
export interface SshRefusal {
  refused: AppError;
}

export interface SshGatewayDeps {
  store: Store;
  clock: Clock;
  bus: Bus;
  log: Logger;
  limits: RateLimiter;
  audit: AuditLog;
  sandboxes: SandboxService;
  access: SshAccessService;
  keys: SshKeyService;
  execAttach: ExecAttachToolbox;
}

/** How long a login waits for its sandbox to start on request. */
const START_WAIT_MS = 60_000;

/** How often an open session marks its sandbox active in the store (other replicas' auto-stop reads it). */
const TOUCH_EVERY_MS = 60_000;

/**
 * What the audit log keeps of a command: the program's name and the length of
 * the line, never its arguments (they may carry passwords or tokens).
 */
export function commandSummary(command: string): { program: string; length: number } {
  const words = command.trim().split(/\s+/);
  const first = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
  const name = first.split('/').pop() ?? '';
  return { program: /^[A-Za-z0-9._+-]{1,64}$/.test(name) ? name : '(other)', length: command.length };
}

export class SshGateway {
  private current: SshEndpoint | null = null;

  private readonly memberships: MembershipRepo;
  private readonly users: UserRepo;

  constructor(private readonly d: SshGatewayDeps) {
    this.memberships = new MembershipRepo(d.store);
    this.users = new UserRepo(d.store);
  }

  /** The gateway tells where it listens (for sshCommand and GET /api/config); null when it stops. */
  announce(e: SshEndpoint | null): void {
    this.current = e;
  }

  endpoint(): SshEndpoint | null {
    return this.current;
  }

  /** Whether an SSH user name is an access token (else it names a sandbox, for key logins). */
  static isToken(user: string): boolean {
    return SSH_TOKEN_RE.test(user);
  }

  /**
   * A refused login: counted against the address's failed-login limit (past
   * it, `rate_limited`). Only failures count, so a valid token or key from
   * a shared address (NAT, proxy) is never refused by this limit.
   */
  private async failed(source: SshSource, method: string, why: string): Promise<never> {
    this.d.log.warn('ssh login failed', { ip: source.ip, method, why, connection: source.connectionId });
    await this.d.limits.take('failedAuth', source.ip);
    throw new AppError('unauthorized', 'SSH login refused', {
      hint: 'use a live token from POST /api/sandbox/{id}/ssh-access as the user name, or a key registered with `berth ssh-key add`',
    });
  }

  private async principalFor(
    userId: string,
    organizationId: string,
    sandboxId: string,
    source: SshSource,
  ): Promise<Principal | null> {
    const m = await this.memberships.get(organizationId, userId);
    if (!m) return null;
    const user = await this.users.get(userId);
    const p: Principal = {
      organizationId,
      userId,
      keyId: null,
      permissions: [],
      role: isRole(m.role) ? m.role : 'member',
      systemAdmin: !!user?.system_admin,
      email: user?.email,
      // A token's expiry stops new logins only; nothing ends the session at that time.
      expiresAt: null,
      sandboxId,
      source: { ip: source.ip, frontend: 'ssh', requestId: source.connectionId },
    };
    return hasPermission(p, 'write:sandboxes') ? p : null;
  }

  private loggedIn(login: SshLogin, method: string): SshLogin {
    this.d.audit.record(login.principal, {
      action: 'ssh.login',
      target: { type: 'sandbox', id: login.sandbox.id },
      outcome: 'success',
      details: { method, ...(login.via.kind === 'key' ? { fingerprint: login.via.fingerprint } : {}) },
    });
    return login;
  }

  /** Logs in with an access token (the SSH user name); `unauthorized` when it is not a live token of a member. */
  async loginWithToken(token: string, source: SshSource): Promise<SshLogin> {
    const t = await this.d.access.resolve(token);
    if (!t) return this.failed(source, 'token', 'unknown, revoked or expired token');
    // A token's expiry stops new logins; sessions it opened go on until revoked (as `berth sandbox ssh`'s minute-long tokens need).
    const p = await this.principalFor(t.userId, t.organizationId, t.sandboxId, source);
    if (!p)
      return this.failed(source, 'token', 'the member who made the token left the organization or lost write access');
    const s = await this.d.sandboxes.get(p, t.sandboxId);
    await this.d.limits.take('authenticated', p.userId);
    return this.loggedIn(
      { principal: p, sandbox: { id: s.id, name: s.name }, via: { kind: 'token', accessId: t.accessId } },
      'token',
    );
  }

  /** Whether a key is registered at all (the unsigned "would you take this key?" step of publickey). */
  async keyRegistered(blob: Buffer): Promise<boolean> {
    return !!(await this.d.keys.find(blob));
  }

  /**
   * Logs a person in with a key whose signature the gateway has checked, into
   * the sandbox `ref` (id or name) of one of their organizations. An unknown
   * key is `unauthorized`; a known person who cannot reach that sandbox gets
   * a refusal that the gateway shows them.
   */
  async loginWithKey(ref: string, blob: Buffer, source: SshSource): Promise<SshLogin | SshRefusal> {
    const key = await this.d.keys.find(blob);
    if (!key) return this.failed(source, 'publickey', 'key not registered');
    await this.d.keys.markUsed(key.id);
    const memberships = await this.memberships.ofUser(key.userId);
    const found: { p: Principal; s: Sandbox }[] = [];
    let withoutWrite = false;
    for (const m of memberships) {
      const probe = {
        organizationId: m.organization_id,
        userId: key.userId,
        keyId: null,
        permissions: [],
        role: 'member',
        systemAdmin: false,
      } as Principal;
      const s = await this.d.sandboxes.get(probe, ref).catch(() => null);
      if (!s) continue;
      const p = await this.principalFor(key.userId, m.organization_id, s.id, source);
      if (p) found.push({ p, s });
      else withoutWrite = true;
    }
    if (found.length > 1) {
      return {
        refused: new AppError('conflict', `${found.length} of your organizations have a sandbox named ${ref}`, {
          hint: `log in with its id instead: ssh <sandbox-id>@host (ids: ${found.map((f) => f.s.id).join(', ')})`,
        }),
      };
    }
    const one = found[0];
    if (!one) {
      const why = withoutWrite
        ? `your role in the organization of sandbox ${ref} may not run commands there`
        : `no sandbox ${ref} in your organizations`;
      this.d.log.warn('ssh login refused', { ip: source.ip, why, connection: source.connectionId });
      return {
        refused: new AppError(withoutWrite ? 'forbidden' : 'not_found', why, {
          hint: 'list your sandboxes with `berth sandbox list`; log in as ssh <sandbox-name-or-id>@host',
        }),
      };
    }
    await this.d.limits.take('authenticated', key.userId);
    return this.loggedIn(
      {
        principal: one.p,
        sandbox: { id: one.s.id, name: one.s.name },
        via: { kind: 'key', keyId: key.id, fingerprint: key.fingerprint },
      },
      'publickey',
    );
  }

  /**
   * Holds the sandbox active for the life of a connection (it never auto-stops
   * under an open session). A stopped or archived sandbox is started first when
   * it allows it (autoStartOnRequest), else `failed_precondition` with a hint.
   * Call `end` when the connection closes.
   */
  async open(login: SshLogin): Promise<{ end: () => void }> {
    await this.d.sandboxes.startForRequest(login.principal, login.sandbox.id, { waitMs: START_WAIT_MS });
    const tb = await this.d.sandboxes.toolbox(login.principal, login.sandbox.id);
    const touch = this.d.clock
      .setInterval(() => void this.d.sandboxes.touch(tb.sandbox).catch(() => {}), TOUCH_EVERY_MS)
      .unref();
    return {
      end: () => {
        touch.clear();
        tb.end();
      },
    };
  }

  /** Calls `onEnd` (once, with the reason) when the session must end; returns the unsubscribe. */
  watch(login: SshLogin, onEnd: (reason: string) => void): () => void {
    const p = login.principal;
    let over = false;
    const end = (reason: string) => {
      if (over) return;
      over = true;
      stop();
      onEnd(reason);
    };
    const offs = [
      this.d.bus.subscribe(KEY_REVOKED, (raw) => {
        const ev = raw as KeyRevokedEvent;
        if (!ev.keyId && revokedMatches(ev, p))
          end(ev.userId ? 'your membership of the organization ended' : 'the organization was deleted');
      }),
      this.d.bus.subscribe(SSH_ACCESS_REVOKED, (raw) => {
        const ev = raw as SshAccessRevokedEvent;
        if (login.via.kind === 'token' && ev.accessIds.includes(login.via.accessId))
          end('the SSH access token was revoked');
      }),
      this.d.bus.subscribe(SSH_KEY_REMOVED, (raw) => {
        const ev = raw as SshKeyRemovedEvent;
        if (login.via.kind === 'key' && ev.keyId === login.via.keyId) end('the SSH key was removed');
      }),
      this.d.bus.subscribe(SANDBOX_EVENTS.desiredStateUpdated, (raw) => {
        const ev = raw as SandboxEvent & { newDesiredState?: string };
        if (ev.sandbox?.id === login.sandbox.id && ev.newDesiredState === 'destroyed')
          end(`sandbox ${login.sandbox.name} is being deleted`);
      }),
      this.d.bus.subscribe(SANDBOX_EVENTS.stateUpdated, (raw) => {
        const ev = raw as SandboxEvent;
        if (ev.sandbox?.id === login.sandbox.id && ev.sandbox.state === 'destroyed')
          end(`sandbox ${login.sandbox.name} was deleted`);
      }),
    ];
    const stop = () => {
      for (const off of offs) off();
    };
    return () => {
      over = true;
      stop();
    };
  }

  /**
   * Starts a command of the session (`ssh host cmd`, a shell, or a subsystem);
   * audited as ssh.exec with the program's name only (commandSummary).
   */
  async exec(
    login: SshLogin,
    req: ExecAttachRequest,
    kind: 'exec' | 'shell',
  ): Promise<{ value: ExecAttachment; end: () => void }> {
    const details = { ...(kind === 'exec' && req.command ? commandSummary(req.command) : {}), pty: !!req.pty };
    const record = (code?: string) =>
      this.d.audit.record(login.principal, {
        action: kind === 'exec' ? 'ssh.exec' : 'ssh.shell',
        target: { type: 'sandbox', id: login.sandbox.id },
        outcome: code ? (code === 'forbidden' ? 'denied' : 'failure') : 'success',
        ...(code ? { errorCode: code } : {}),
        details,
      });
    try {
      const r = await this.d.execAttach.start(login.principal, login.sandbox.id, req);
      record();
      return r;
    } catch (e) {
      record(e instanceof AppError ? e.code : 'internal');
      throw e;
    }
  }
}

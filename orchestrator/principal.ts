// Who is calling, as established by an edge's authentication. Every facade
// method takes one; every query is scoped by its organization.
export interface Principal {
  /** The organization this call acts in: the X-Daytona-Organization-ID header, else the key's own. */
  organizationId: string;
  userId: string;
  /** API key id, or null for other credentials (session, SSH token). */
  keyId: string | null;
  /** Effective permissions: the key's, narrowed to what the user's role holds in this organization. */
  permissions: string[];
  role: 'owner' | 'admin' | 'member';
  systemAdmin: boolean;
  /** The user's email, for the audit log. */
  email?: string;
  /** When the credential stops working (epoch ms), so long-lived connections can end then. */
  expiresAt?: number | null;
  /** The caller's authenticated request budget after this call (edges turn it into X-RateLimit-* headers). */
  rateLimit?: { limit: number; remaining: number; resetSeconds: number };
  /** Where the call came from, for the audit log and rate limits. */
  source?: { ip?: string; frontend?: string; requestId?: string };
  /** Set when the credential opens one sandbox only (its preview token): every other sandbox is not found. */
  sandboxId?: string;
}

/** The principal of a sandbox's preview token, which browser-like SDK runtimes send on toolbox WebSockets. */
export const sandboxTokenPrincipal = (organizationId: string, sandboxId: string): Principal => ({
  organizationId,
  userId: `preview:${sandboxId}`,
  keyId: null,
  // The toolbox of this one sandbox: reads need nothing, changes need write:sandboxes.
  permissions: ['write:sandboxes'],
  role: 'member',
  systemAdmin: false,
  sandboxId,
});

/** The principal of Berth's own background work (lifetime limits, retention), for the audit log. */
export const systemPrincipal = (organizationId: string): Principal => ({
  organizationId,
  userId: 'system',
  keyId: null,
  permissions: [],
  role: 'owner',
  systemAdmin: true,
  source: { frontend: 'system' },
});

/** Berth's own background work (timers, reconciler) — not rate limited. */
export const isSystem = (p: Principal): boolean => p.userId === 'system';

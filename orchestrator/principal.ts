// Who is calling, as established by an edge's authentication. Every facade
// method takes one; every query is scoped by its organization.
export interface Principal {
  organizationId: string;
  userId: string;
  /** API key id, or null for other credentials (session, SSH token). */
  keyId: string | null;
  permissions: string[];
  role: 'owner' | 'admin' | 'member';
  systemAdmin: boolean;
  /** Where the call came from, for the audit log and rate limits. */
  source?: { ip?: string; frontend?: string; requestId?: string };
}

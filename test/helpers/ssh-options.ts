// The OpenSSH client options every test and benchmark passes: no user config,
// no agent, no keys of the machine's user, and strict checking against a
// known_hosts file the caller wrote, so a wrong host key fails.
export function sshOptions(knownHosts: string, extra: string[] = []): string[] {
  const o = (opt: string) => ['-o', opt];
  return [
    '-F',
    '/dev/null',
    ...o(`UserKnownHostsFile=${knownHosts}`),
    ...o('StrictHostKeyChecking=yes'),
    ...o('BatchMode=yes'),
    ...o('IdentityAgent=none'),
    ...o('IdentitiesOnly=yes'),
    ...o('LogLevel=ERROR'),
    ...extra.flatMap(o),
  ];
}

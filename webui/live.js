// Live sandbox events over Socket.IO (the same notifications the SDK uses),
// authenticated by the session cookie. Views subscribe; a server-side
// disconnect (key revoked, session ended) makes the app re-check its session.
// The client library is its own chunk, fetched after the first render.

/** Connects now; views may subscribe before the connection is up. */
export function connectLive({ organizationId, onEnded }) {
  const handlers = new Set();
  let socket = null;
  let closed = false;
  const deliver = (type) => (payload) => {
    const sandbox = payload?.sandbox ?? payload;
    for (const f of handlers) f({ type, sandbox });
  };
  // The server ended the socket, or refused it: ask whether the session still holds; if it does, try again.
  const ended = () => {
    onEnded();
    setTimeout(() => !closed && socket && !socket.connected && socket.connect(), 3000);
  };
  import('socket.io-client').then(({ io }) => {
    if (closed) return;
    socket = io({
      path: '/api/socket.io/',
      transports: ['websocket'],
      query: organizationId ? { organizationId } : {},
      withCredentials: true,
    });
    socket.on('sandbox.created', deliver('created'));
    socket.on('sandbox.state.updated', deliver('state'));
    socket.on('sandbox.desired-state.updated', deliver('desired'));
    // A line about a slow step of a sandbox's start (its image sent to its runner); no sandbox object.
    socket.on('sandbox.progress', (p) => {
      for (const f of handlers) f({ type: 'progress', sandboxId: p?.sandboxId, line: p?.line });
    });
    socket.on('disconnect', (reason) => reason === 'io server disconnect' && ended());
    socket.on('connect_error', ended);
  });
  return {
    subscribe(f) {
      handlers.add(f);
      return () => handlers.delete(f);
    },
    connected: () => !!socket?.connected,
    close: () => {
      closed = true;
      socket?.close();
    },
  };
}

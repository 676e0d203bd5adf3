// Live sandbox events over Socket.IO (the same notifications the SDK uses),
// authenticated by the session cookie. Views subscribe; a server-side
// disconnect (key revoked, session ended) makes the app re-check its session.
import { io } from 'socket.io-client';

/** Connects now; views may subscribe before the connection is up. */
export function connectLive({ organizationId, onEnded }) {
  const handlers = new Set();
  const socket = io({ path: '/api/socket.io/', transports: ['websocket'], query: organizationId ? { organizationId } : {}, withCredentials: true });
  const deliver = (type) => (payload) => {
    const sandbox = payload?.sandbox ?? payload;
    for (const f of handlers) f({ type, sandbox });
  };
  socket.on('sandbox.created', deliver('created'));
  socket.on('sandbox.state.updated', deliver('state'));
  socket.on('sandbox.desired-state.updated', deliver('desired'));
  let closed = false;
  // The server ended the socket, or refused it: ask whether the session still holds; if it does, try again.
  const ended = () => {
    onEnded();
    setTimeout(() => !closed && !socket.connected && socket.connect(), 3000);
  };
  socket.on('disconnect', (reason) => reason === 'io server disconnect' && ended());
  socket.on('connect_error', ended);
  return {
    subscribe(f) {
      handlers.add(f);
      return () => handlers.delete(f);
    },
    connected: () => socket.connected,
    close: () => {
      closed = true;
      socket.close();
    },
  };
}

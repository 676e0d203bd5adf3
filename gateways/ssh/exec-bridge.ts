// Joins an SSH channel to a running command: stdin in, stdout and stderr out
// apart (one stream on a terminal), with backpressure both ways (a slow
// client pauses the command's output; a slow command holds the client's
// input through the SSH window). When the command exits, its output is
// flushed, then the exit status (or signal) is sent, then EOF and close.
import type { Writable } from 'node:stream';
import type { ServerChannel } from 'ssh2';
import type { ExecAttachment } from '../../orchestrator/index.js';

/**
 * Resolves once everything written so far has gone out. ('drain' is no use:
 * it fires only after a write returned false, and the last chunk may still
 * wait for the client's window without that.) An empty write's callback runs
 * after every earlier one.
 */
const flushed = (w: Writable): Promise<void> => {
  if (!w.writable || w.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      w.off('close', done);
      resolve();
    };
    w.once('close', done);
    w.write(Buffer.alloc(0), () => done());
  });
};

export async function bridge(ch: ServerChannel, a: ExecAttachment, pty: boolean): Promise<void> {
  a.onOutput((stream, data) => {
    const out: Writable = stream === 'stderr' ? ch.stderr : ch;
    if (!out.writable) return;
    if (!out.write(data)) {
      a.pause();
      out.once('drain', () => a.resume());
    }
  });
  ch.on('data', (data: Buffer) => {
    if (!a.write(data)) {
      ch.pause();
      a.onInputDrain(() => ch.resume());
    }
  });
  // The client's EOF is the command's end of input (on a terminal: ^D).
  ch.once('end', () => a.endInput());
  // The client closed the channel first: the command goes with it.
  ch.once('close', () => a.close());

  const exit = await a.exited;
  if (!ch.writable) return;
  if (!exit) {
    const text = 'berth: lost the connection to the sandbox (it may have been stopped)\n';
    ch.stderr.write(pty ? text.replace(/\n/g, '\r\n') : text);
  }
  await Promise.all([flushed(ch), flushed(ch.stderr)]);
  if (exit?.signal) ch.exit(exit.signal.replace(/^SIG/, ''), false, '');
  else ch.exit(exit ? exit.exitCode : 255);
  ch.end();
}

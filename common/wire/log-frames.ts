// Followed session logs (compat spec §6.4): one byte stream in which three
// marker bytes (01 01 01 for stdout, 02 02 02 for stderr) come before each
// run of that stream's bytes. The daemon writes it; SDK clients split it
// (Berth's own CLI attaches to commands instead: /process/exec/attach).

export type LogStream = 1 | 2;

export const STREAM_MARKS: Readonly<Record<LogStream, Buffer>> = {
  1: Buffer.from([1, 1, 1]),
  2: Buffer.from([2, 2, 2]),
};

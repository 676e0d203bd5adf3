// JSON a test reads back from Berth (responses, events, tool results): tests
// assert on the fields they read, and the shapes are many, so it stays untyped
// here, in one place, instead of `any` spread through the suites.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON under test; assertions check its fields
export type Json = any;

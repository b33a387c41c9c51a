// undici parses HTTP with llhttp compiled to WebAssembly. V8 re-compiles hot WebAssembly
// functions with its optimizing compiler in background jobs, and a process waits for those
// jobs before it can exit: about 100 ms at the end of every short run (the smoke-flow bench,
// bench/smoke-vs-stepci.ts). The baseline compiler alone parses as fast for us: the load
// probe's throughput and CPU per request are the same (bench/load-vs-autocannon.ts), since
// parsing is a small part of a request.
// The budget (work a function does before it is re-compiled) is raised out of reach rather
// than tiering turned off: V8 reads that one when it compiles a module, so it takes effect
// from inside the process (--liftoff-only and --no-wasm-tier-up do not; measured).
// Set once, as late as it can be: just before undici compiles the parser on its first
// HTTP/1 connection (src/http/undici.ts). A flag changed at run time also changes the hash
// V8 checks code caches against, so each Node built-in loaded after it is compiled from
// source instead of from Node's own cache (node:http, net, tls and the like: about 10 ms);
// by the first connection, those are loaded. node:v8 itself is loaded here, not at start.
// The action sets it at start instead (src/action/index.ts): Node's own fetch, which octokit
// uses, compiles its parser before any check connects.
let done = false;

export function useBaselineWasmOnly(): void {
  if (done) return;
  done = true;
  process.getBuiltinModule('node:v8').setFlagsFromString('--wasm-tiering-budget=1000000000');
}

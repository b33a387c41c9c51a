// undici parses HTTP with llhttp compiled to WebAssembly. V8 re-compiles hot WebAssembly
// functions with its optimizing compiler in background jobs, and a process waits for those
// jobs before it can exit: about 100 ms at the end of every short run (the smoke-flow bench,
// bench/smoke-vs-stepci.ts). The baseline compiler alone parses as fast for us: the load
// probe's throughput and CPU per request are the same (bench/load-vs-autocannon.ts), since
// parsing is a small part of a request. Called by each entry before any request is made.
// The budget (work a function does before it is re-compiled) is raised out of reach rather
// than tiering turned off: V8 reads that one when it compiles a module, so it takes effect
// from inside the process (--liftoff-only and --no-wasm-tier-up do not; measured).
import { setFlagsFromString } from 'node:v8';

export function useBaselineWasmOnly(): void {
  setFlagsFromString('--wasm-tiering-budget=1000000000');
}

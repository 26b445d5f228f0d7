// The Node.js flags every agent is started with: by the installed wrapper
// (packaging/install.sh), the container image (packaging/docker/agent.Dockerfile), `afterpatch
// up`, and the benchmarks that measure the agent (test/packaging checks they all agree).
//
// --jitless: V8 interprets instead of compiling to machine code. The agent is idle nearly all
//   the time and its scan waits on procfs, not on the CPU, so it costs little speed
//   (BENCHMARKS.md, "In-process rescan") and saves ~8 MiB of resident memory (the compilers'
//   code in the node binary and the code space are never touched). It also means no memory is
//   ever writable and executable, so the systemd unit can set MemoryDenyWriteExecute=yes for a
//   process that runs as root with CAP_SYS_PTRACE.
// --no-expose-wasm: WebAssembly needs the JIT; without this Node prints a warning at every start.
// --max-semi-space-size=1 (MiB): a scan allocates in bursts, and V8's young generation grows up
//   to 16 MiB per semi-space to absorb them, then keeps that memory until it is idle long enough:
//   with 1 MiB the RSS right after a scan is ~7 MiB lower, for a few more quick scavenges.
// --expose-gc: the daemon collects once after each scan (idle-collector.ts) rather than holding
//   the scan's garbage until V8 notices it is idle.
export const AGENT_NODE_FLAGS: readonly string[] = Object.freeze([
  '--jitless',
  '--no-expose-wasm',
  '--max-semi-space-size=1',
  '--expose-gc',
]);

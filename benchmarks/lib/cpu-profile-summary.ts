/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, a `.cpuprofile` file) by where a call's CPU
 * goes: every sampled function's self time, grouped into JSON parse/serialize, base64, G.711,
 * resampling, WebSocket/syscalls, pipeline hops, Silero, GC and other, as a markdown table.
 *
 * Percentages are of the busy samples (all but `(idle)`), so a profile of a half-loaded and of a
 * saturated process compare. `(program)` is V8 time no JavaScript function is on the stack for
 * (compilation, runtime calls, the event loop's native part); it is counted in "other".
 * `JSON.parse` and `JSON.stringify` are V8 builtins, which a profile does not show as functions of
 * their own: their time is the self time of the function calling them, so the serializers'
 * message code (message-parsing, the carriers' serializers and message builders) is the JSON
 * group.
 *
 * Run: node --import tsx benchmarks/lib/cpu-profile-summary.ts <file.cpuprofile> [--top <n>]
 *   [--from-us <µs> --to-us <µs>] (only the samples in that window of the profile's clock, which
 *   the concurrency benchmark's hold mode prints for its measured window) [--cpu-ms-per-call-second
 *   <ms>] (the run's CPU per call-second, which hold mode prints, to give each group in µs).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The groups of the table, in its order. */
export const CPU_GROUPS = [
  'JSON parse/serialize',
  'base64',
  'G.711',
  'resampling',
  'WebSocket/syscalls',
  'pipeline hops',
  'Silero',
  'GC',
  'other',
] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

/** The part of a `.cpuprofile` this reads (Chrome DevTools protocol `Profiler.Profile`). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** µs between consecutive samples (the first from `startTime`). */
  timeDeltas?: number[];
}

/** A part of the profile to summarise, in the profile's clock (µs, `process.hrtime` on Linux). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** One function's self time. */
export interface FunctionSelfTime {
  /** `name (file)`, the file shortened to its package-relative path. */
  name: string;
  group: CpuGroup;
  samples: number;
  /** Share of the busy samples, 0..1. */
  share: number;
}

/** A profile's self time by group and by function. */
export interface CpuProfileSummary {
  /** Samples not in `(idle)`. */
  busySamples: number;
  /** Share of all samples that were idle, 0..1. */
  idleShare: number;
  /** Wall time the profile covers, in ms. */
  durationMs: number;
  groups: { group: CpuGroup; share: number; functions: FunctionSelfTime[] }[];
  functions: FunctionSelfTime[];
}

const NATIVE_JSON = new Set(['parse', 'stringify']);
const NATIVE_BASE64 = new Set(['base64Slice', 'base64Write', 'base64urlSlice', 'atob', 'btoa']);
const NATIVE_SOCKET = new Set([
  'writev',
  'writeUtf8String',
  'writeLatin1String',
  'writeBuffer',
  'writeAsciiString',
  'onStreamRead',
  'shutdown',
  'close',
  'utf8Write',
  'latin1Write',
  'isUtf8',
]);

/**
 * The group of a sampled function, from its name and script URL. Native functions (URL '') are
 * placed by name: `JSON.parse` shows as `parse`, Buffer's base64 as `base64Slice`/`base64Write`,
 * socket writes as `writev`/`writeUtf8String`.
 */
export function groupOf(functionName: string, url: string): CpuGroup {
  if (functionName === '(garbage collector)') return 'GC';
  if (url === '') {
    if (NATIVE_JSON.has(functionName)) return 'JSON parse/serialize';
    if (NATIVE_BASE64.has(functionName)) return 'base64';
    if (NATIVE_SOCKET.has(functionName)) return 'WebSocket/syscalls';
    if (functionName === 'run' || functionName === 'runSync') return 'Silero';
    return 'other';
  }
  if (/base64/i.test(functionName) || functionName === 'decodePayloadSlice') return 'base64';
  if (/\/(silero|onnxruntime-(node|common))\/|\/audio\/src\/vad\//.test(url)) return 'Silero';
  if (/\/g711\//.test(url)) return 'G.711';
  if (/\/resampler\//.test(url)) return 'resampling';
  if (/media-payload\.ts|base64/.test(url)) return 'base64';
  if (
    /message-parsing\.[jt]s|-messages\.[jt]s|frame-serializer\.[jt]s|media-stream-serializer\.[jt]s|media-message-(scanner|template)\.[jt]s/.test(
      url,
    )
  ) {
    return 'JSON parse/serialize';
  }
  if (
    /\/ws\/lib\/|node:net|node:_http|node:internal\/stream_base_commons|node:internal\/streams|node:stream|node:internal\/net|node:buffer/.test(
      url,
    )
  ) {
    return 'WebSocket/syscalls';
  }
  if (
    /\/core\/src\/(pipeline|processors|processor-kit|frames|observers)\/|\/websocket\/src\/|echo-processor/.test(
      url,
    )
  ) {
    return 'pipeline hops';
  }
  return 'other';
}

/**
 * Code without a place of its own (WebAssembly, the JS-to-WASM wrapper, anonymous closures of the
 * runtime) takes the group of the nearest caller that has one: the resampler's SIMD kernel is
 * resampling.
 */
function isPlaceless(functionName: string, url: string): boolean {
  return url.startsWith('wasm://') || functionName === 'GenericJSToWasmWrapper';
}

/** `name (path)` with the path cut to what follows `packages/`, `node_modules/` or `benchmarks/`. */
function describe(functionName: string, url: string): string {
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  const path = url.replace(/^file:\/\//, '');
  const cut =
    /(?:.*\/node_modules\/)(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)|.*\/(packages\/.*|benchmarks\/.*)/.exec(
      path,
    );
  const short = cut === null ? path : (cut[1] ?? cut[2] ?? path);
  return `${name} (${short})`;
}

/** Self time by function and group; functions below `minShare` of the busy samples are folded away from `functions` (not from the group totals). */
export function summarizeCpuProfile(
  profile: CpuProfile,
  minShare = 0.001,
  window?: ProfileWindow,
): CpuProfileSummary {
  const samplesById = new Map<number, number>();
  if (profile.samples !== undefined && profile.samples.length > 0) {
    let at = profile.startTime;
    const deltas = profile.timeDeltas ?? [];
    profile.samples.forEach((id, index) => {
      at += deltas[index] ?? 0;
      if (window !== undefined && (at < window.fromUs || at > window.toUs)) return;
      samplesById.set(id, (samplesById.get(id) ?? 0) + 1);
    });
  } else {
    for (const node of profile.nodes) samplesById.set(node.id, node.hitCount ?? 0);
  }
  const parentOf = new Map<number, number>();
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const placedGroup = (id: number): CpuGroup => {
    for (let at: number | undefined = parentOf.get(id); at !== undefined; at = parentOf.get(at)) {
      const caller = nodeById.get(at)!.callFrame;
      if (isPlaceless(caller.functionName, caller.url)) continue;
      const group = groupOf(caller.functionName, caller.url);
      if (group !== 'other') return group;
    }
    return 'other';
  };
  const byName = new Map<string, { group: CpuGroup; samples: number }>();
  let idle = 0;
  let total = 0;
  for (const node of profile.nodes) {
    const samples = samplesById.get(node.id) ?? 0;
    total += samples;
    if (samples === 0) continue;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') {
      idle += samples;
      continue;
    }
    const placeless = isPlaceless(functionName, url);
    const group = placeless ? placedGroup(node.id) : groupOf(functionName, url);
    const name = placeless
      ? `${describe(functionName, url.startsWith('wasm://') ? 'wasm' : url)} in ${group}`
      : describe(functionName, url);
    const entry = byName.get(name);
    if (entry === undefined) byName.set(name, { group, samples });
    else entry.samples += samples;
  }
  const busySamples = total - idle;
  const all: FunctionSelfTime[] = [...byName.entries()]
    .map(([name, { group, samples }]) => ({
      name,
      group,
      samples,
      share: samples / Math.max(1, busySamples),
    }))
    .sort((a, b) => b.samples - a.samples);
  const groups = CPU_GROUPS.map((group) => {
    const members = all.filter((entry) => entry.group === group);
    return {
      group,
      share: members.reduce((sum, entry) => sum + entry.share, 0),
      functions: members.filter((entry) => entry.share >= minShare),
    };
  });
  return {
    busySamples,
    idleShare: total === 0 ? 0 : idle / total,
    durationMs:
      window === undefined
        ? (profile.endTime - profile.startTime) / 1000
        : (Math.min(window.toUs, profile.endTime) - Math.max(window.fromUs, profile.startTime)) / 1000,
    groups,
    functions: all.filter((entry) => entry.share >= minShare),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * The summary as markdown: one table by group (with its top functions), one of the top functions.
 *
 * @param cpuMsPerCallSecond - the run's measured CPU per call-second (process CPU time, from the
 *   concurrency benchmark), to add each group's share of it in µs; omitted without it.
 */
export function cpuProfileMarkdown(
  summary: CpuProfileSummary,
  topFunctions = 20,
  cpuMsPerCallSecond?: number,
): string {
  const perCall = cpuMsPerCallSecond !== undefined && Number.isFinite(cpuMsPerCallSecond);
  const lines = [
    `${summary.busySamples} busy samples over ${(summary.durationMs / 1000).toFixed(1)} s; idle ${percent(summary.idleShare)} of all samples. Shares are of the busy samples (self time)${perCall ? `; µs per call-second = share × the run's ${cpuMsPerCallSecond.toFixed(2)} ms of CPU per call-second` : ''}.`,
    '',
    perCall
      ? '| group | self time | ≈ µs CPU per call-second | largest functions in it |'
      : '| group | self time | largest functions in it |',
    perCall ? '|---|---:|---:|---|' : '|---|---:|---|',
  ];
  for (const { group, share, functions } of summary.groups) {
    const top = functions
      .slice(0, 3)
      .map((entry) => `${entry.name} ${percent(entry.share)}`)
      .join('; ');
    const micros = perCall ? ` ${Math.round(share * cpuMsPerCallSecond * 1000)} |` : '';
    lines.push(`| ${group} | ${percent(share)} |${micros} ${top} |`);
  }
  lines.push('', '| function | group | self time |', '|---|---|---:|');
  for (const entry of summary.functions.slice(0, topFunctions)) {
    lines.push(`| ${entry.name} | ${entry.group} | ${percent(entry.share)} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (file === undefined || file.startsWith('--')) {
    console.error('usage: cpu-profile-summary.ts <file.cpuprofile> [--top <n>]');
    process.exit(2);
  }
  const topAt = process.argv.indexOf('--top');
  const top = topAt < 0 ? 20 : Number(process.argv[topAt + 1]);
  const fromAt = process.argv.indexOf('--from-us');
  const toAt = process.argv.indexOf('--to-us');
  const window =
    fromAt < 0 || toAt < 0
      ? undefined
      : { fromUs: Number(process.argv[fromAt + 1]), toUs: Number(process.argv[toAt + 1]) };
  const cpuAt = process.argv.indexOf('--cpu-ms-per-call-second');
  const cpuMsPerCallSecond = cpuAt < 0 ? undefined : Number(process.argv[cpuAt + 1]);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(cpuProfileMarkdown(summarizeCpuProfile(profile, 0.001, window), top, cpuMsPerCallSecond));
}

#!/usr/bin/env node
// Rewrites imports of the names that moved from a package's root entry to its kit entry
// (`@voxline/core` → `@voxline/core/processor-kit`, `@voxline/telephony` →
// `@voxline/telephony/carrier-kit`), in every .ts, .mts, .mjs and .md file of the repository
// (packages, examples, benchmarks, docs, scripts), or of the directories given:
//
//   node scripts/codemods/kit-entry-imports.mjs [directory ...]
//
// An `import { A, B } from '@voxline/core'` whose B moved becomes two imports, one per entry;
// `import type` stays `import type`. Running it again changes nothing. Run `pnpm run format`
// afterwards so Biome sorts the new import lines. Prints each file it changed.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each root entry, its kit entry, and the names that moved from one to the other. */
export const movedToKits = [
  {
    from: '@voxline/core',
    to: '@voxline/core/processor-kit',
    names: [
      'AIService',
      'AIServiceOptions',
      'backoffDelayMs',
      'classifyServiceError',
      'formatFunctionResult',
      'functionResultValue',
      'MetricsOwner',
      'parseFunctionArguments',
      'ProcessorMetrics',
      'RepeatedLogLimiter',
      'RepeatedLogLimiterOptions',
      'RepeatedLogVerdict',
      'resolveRetryPolicy',
      'retryWithBackoff',
      'serviceErrorCodeForCloseCode',
      'serviceErrorCodeForStatus',
      'TypedEventEmitter',
    ],
  },
  {
    from: '@voxline/telephony',
    to: '@voxline/telephony/carrier-kit',
    names: [
      'base64DecodedLength',
      'CarrierMessage',
      'decodeBase64Payload',
      'describePeerValue',
      'HangUpFailure',
      'HangUpRetryOptions',
      'headerValue',
      'InboundAudioPath',
      'InboundAudioPathOptions',
      'maxMessageLengthFor',
      'MediaStreamAudio',
      'MediaStreamAudioOptions',
      'MediaStreamMessageSchemas',
      'MediaStreamSerializer',
      'normalizeTrack',
      'OutboundAudioEncoder',
      'OutboundAudioEncoderOptions',
      'parseCarrierMessage',
      'parseDecimalCounter',
      'RetryingCallTerminator',
      'RetryingCallTerminatorOptions',
      'streamRefused',
      'streamVerified',
      'validateMessage',
    ],
  },
  {
    from: '@voxline/call-control',
    to: '@voxline/call-control/carrier-kit',
    names: [
      'AfterReplyWork',
      'callContextOf',
      'callControlRetryPolicy',
      'CallControlSessionInit',
      'checkRecordingKey',
      'CommandRetryContext',
      'invalidCommand',
      'isRetryableFailure',
      'keepRawBodies',
      'publicUrlOf',
      'publicWebSocketUrlOf',
      'RAW_BODY_CONTENT_TYPES',
      'rawBodyOf',
      'RawBodyOptions',
      'RecentEventIds',
      'recordingKeySegment',
      'RecordingToArchive',
      'rejectionStatus',
      'rejectWebhook',
      'retryAfterMs',
      'runWebhookCommand',
      'sendWithRetry',
      'validatePublicUrlBase',
      'WebhookCommandContext',
      'WebhookRejectionBody',
      'WebhookRejectionReason',
    ],
  },
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const skipped = new Set(['node_modules', 'dist', '.git', 'site', '.voxline']);

/** The source and documentation files under `directory`. */
function filesUnder(directory) {
  const found = [];
  for (const name of readdirSync(directory)) {
    if (skipped.has(name)) continue;
    const path = join(directory, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else if (/\.(ts|mts|mjs|md)$/.test(name)) found.push(path);
  }
  return found;
}

/** `text` with the imports of moved names pointed at their kit entry. */
export function rewriteImports(text) {
  let rewritten = text;
  for (const { from, to, names } of movedToKits) {
    const moved = new Set(names);
    const specifier = from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const declaration = new RegExp(
      `import\\s+(type\\s+)?\\{([^}]*)\\}\\s+from\\s+(['"])${specifier}\\3;?`,
      'g',
    );
    rewritten = rewritten.replace(declaration, (whole, typeOnly, list, quote) => {
      const specifiers = list
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      const importedName = (part) =>
        part
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]
          .trim();
      const staying = specifiers.filter((part) => !moved.has(importedName(part)));
      const moving = specifiers.filter((part) => moved.has(importedName(part)));
      if (moving.length === 0) return whole;
      const keyword = typeOnly === undefined ? 'import' : 'import type';
      const importFrom = (parts, entry) =>
        `${keyword} { ${parts.join(', ')} } from ${quote}${entry}${quote};`;
      if (staying.length === 0) return importFrom(moving, to);
      return `${importFrom(staying, from)}\n${importFrom(moving, to)}`;
    });
  }
  return rewritten;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const directories = process.argv.length > 2 ? process.argv.slice(2).map((path) => resolve(path)) : [root];
  for (const file of directories.flatMap(filesUnder)) {
    const text = readFileSync(file, 'utf8');
    const rewritten = rewriteImports(text);
    if (rewritten === text) continue;
    writeFileSync(file, rewritten);
    console.log(relative(process.cwd(), file));
  }
}

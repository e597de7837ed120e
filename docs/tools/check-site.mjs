#!/usr/bin/env node
// Opens the built documentation site (docs/site, written by `docs:build`) in headless Chromium, as
// a reader would, and checks that it renders: the index page and one guide, each with its title and
// heading, and the sidebar (drawn by the site's JavaScript) listing the guides by title in reading
// order. A screenshot of each page is kept under docs/site/screenshots/ (the CI artifact). Exit
// code 0 when every check passes, 1 otherwise.
//
// Chromium comes from Debian (`chromium`). When it is missing and this runs as root, it is
// installed with apt-get, as the project's other system tools are; otherwise the script says what
// to install. It runs headless with the flags that keep it off the network (no component
// updates, sync or QUIC) and a fresh profile, on a loopback HTTP server that serves the site.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const site = join(dirname(fileURLToPath(import.meta.url)), '..', 'site');
const screenshots = join(site, 'screenshots');
const WINDOW = { width: 1280, height: 1000 };
/** How long one Chromium run may take before it is killed, ms. */
const CHROMIUM_TIMEOUT_MS = 90_000;

/** The pages checked: where they are, and what a reader must see. */
const pages = [
  {
    name: 'index',
    path: 'index.html',
    title: 'Voxline',
    heading: 'Voxline',
  },
  {
    name: 'guide-testing-with-the-simulator',
    path: 'documents/Testing_your_agent_with_the_simulator.html',
    title: 'Testing your agent with the simulator | Voxline',
    heading: 'Testing your agent with the simulator',
  },
];
/** Guides the sidebar must list, in this order (the documentation index's order). */
const sidebarOrder = [
  'Voxline documentation',
  'Getting started',
  'Concepts',
  'Compose a pipeline',
  'API reference',
];

const problems = [];

if (!existsSync(join(site, 'index.html'))) {
  console.error(
    `check-site: ${site}/index.html not found; build the site first: node scripts/pnpm.mjs run docs:build`,
  );
  process.exit(1);
}
const chromium = findOrInstallChromium();
mkdirSync(screenshots, { recursive: true });
const server = await serve(site);
const base = `http://127.0.0.1:${server.address().port}/`;
const profile = mkdtempSync(join(tmpdir(), 'voxline-check-site-chromium-'));
try {
  for (const page of pages) await checkPage(page);
} finally {
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(problems.map((problem) => `check-site: ${problem}`).join('\n'));
  process.exit(1);
}
console.log(`check-site: ${pages.length} pages render; screenshots in ${screenshots}`);

/** Loads one page twice (its DOM after scripts ran, then a screenshot) and checks both. */
async function checkPage(page) {
  const url = base + page.path;
  const dom = await runChromium(['--dump-dom', url]);
  const title = /<title>([^<]*)<\/title>/.exec(dom)?.[1];
  if (title !== page.title) problems.push(`${page.path}: title is '${title}', expected '${page.title}'`);
  const headings = [...dom.matchAll(/<h1[^>]*>([\s\S]*?)<\/h1>/g)].map((match) => text(match[1]));
  if (!headings.includes(page.heading)) {
    problems.push(`${page.path}: no heading '${page.heading}' (headings: ${JSON.stringify(headings)})`);
  }
  // The sidebar is built in the browser from assets/navigation.js: its links prove the scripts ran.
  const navigation = /id="tsd-nav-container"[^>]*>([\s\S]*?)<\/nav>/.exec(dom)?.[1] ?? '';
  const links = [...navigation.matchAll(/<a [^>]*>([\s\S]*?)<\/a>/g)].map((match) => text(match[1]));
  const positions = sidebarOrder.map((guide) => links.indexOf(guide));
  if (
    positions.includes(-1) ||
    positions.some((position, index) => index > 0 && position < positions[index - 1])
  ) {
    problems.push(
      `${page.path}: the sidebar does not list ${sidebarOrder.join(', ')} in this order (it lists ${JSON.stringify(links.slice(0, 20))})`,
    );
  }

  const file = join(screenshots, `${page.name}.png`);
  rmSync(file, { force: true });
  await runChromium([`--screenshot=${file}`, url]);
  const size = existsSync(file) ? pngSize(file) : undefined;
  if (size === undefined) problems.push(`${page.path}: no screenshot was written`);
  else if (size.width !== WINDOW.width || size.height !== WINDOW.height || statSync(file).size < 20_000) {
    problems.push(
      `${page.path}: the screenshot is ${size.width}x${size.height}, ${statSync(file).size} bytes: blank?`,
    );
  } else console.log(`check-site: ${page.path}: '${title}', screenshot ${file}`);
}

/** Runs headless Chromium on `args`; resolves with its standard output. */
function runChromium(args) {
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--window-size=${WINDOW.width},${WINDOW.height}`,
    // Lets the site's scripts (navigation, search index) finish before the DOM or pixels are taken.
    '--virtual-time-budget=10000',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(chromium, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHROMIUM_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`chromium ${args[0]} exited with ${signal ?? code}:\n${stderr.slice(-2000)}`));
    });
  });
}

/** The path of Chromium; installs Debian's package when missing and running as root. */
function findOrInstallChromium() {
  const find = () => spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  let path = find();
  if (path !== '') return path;
  if (process.getuid?.() !== 0) {
    console.error('check-site: Chromium is not installed; install it with: sudo apt-get install -y chromium');
    process.exit(1);
  }
  console.log('check-site: installing chromium (Debian package) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      console.error(`check-site: apt-get ${args.join(' ')} failed (exit ${result.status})`);
      process.exit(1);
    }
  }
  path = find();
  if (path === '') {
    console.error('check-site: chromium is still not on the PATH after apt-get install');
    process.exit(1);
  }
  return path;
}

/** A static file server for `root` on a free loopback port. */
function serve(root) {
  const types = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.json': 'application/json',
  };
  const server = createServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url, 'http://x').pathname)));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Width and height from a PNG's IHDR chunk; undefined when the file is not a PNG. */
function pngSize(file) {
  const bytes = readFileSync(file);
  if (bytes.length < 24 || bytes.toString('latin1', 1, 4) !== 'PNG') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The text of an HTML fragment: tags removed, entities for spaces and `&` decoded, trimmed. */
function text(html) {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

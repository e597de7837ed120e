#!/usr/bin/env node
import { main } from './commands/main.js';

const exitCode = await main(process.argv.slice(2));
// Exit explicitly: a model session or a pending log flush must not keep a finished command alive.
setImmediate(() => process.exit(exitCode));

#!/usr/bin/env node
// The project's client command (`npx p2p-exchange <node> <action> [param]`): runs the
// compiled client from dist/, which `npm start` and `npm run build` produce.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const entry = path.join(root, 'dist', 'client', 'cli.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('p2p-exchange: the client is not built yet: run `npm run build` (or `npm start`) in ' + root + '\n');
  process.exit(4);
}
require(entry).main(root);

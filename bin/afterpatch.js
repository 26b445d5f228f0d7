#!/usr/bin/env node
// Entry point of the `afterpatch` command. It loads the CLI bundled by esbuild in
// `npm run build` (which `npm install` runs through the prepare script): a few files parse far
// faster than a hundred modules resolved one by one, and code used only sometimes (the config
// validator) sits in chunks loaded on demand.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));

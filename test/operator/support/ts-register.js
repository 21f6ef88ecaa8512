/**
 * Lets plain `node` (as started by pm2) require TypeScript files, by transpiling them
 * with the project's own `typescript` on load. Only for the test fixtures pm2 runs
 * (fake-node.js): no type checking here, `npm run typecheck` does that.
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTs(module, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(out.outputText, filename);
};

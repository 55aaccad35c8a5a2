// Minifies src/dni.js into the file dni-server serves, and fails the build when the result is over
// its budget: 3.875 KiB gzipped. Usage: node scripts/build.mjs [OUT_FILE]
// (default target/classes/calltrack/dni.js, the classpath resource calltrack/dni.js of the jar).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

export const BUDGET_GZIP_BYTES = 3.875 * 1024;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] || 'target/classes/calltrack/dni.js');
const source = await readFile(resolve(root, 'src/dni.js'), 'utf8');

const result = await minify(source, {
  ecma: 2018,
  // function expressions become arrows: dni.js never uses `this` or `arguments`
  compress: { passes: 2, unsafe_arrows: true },
  mangle: true,
  format: { comments: false, preamble: '/*! calltrack dni.js | Apache-2.0 */' },
});
const code = result.code + '\n';
await mkdir(dirname(out), { recursive: true });
await writeFile(out, code);

const gzipped = gzipSync(Buffer.from(code), { level: 9 }).length;
console.log(`dni.js: ${source.length} B source, ${code.length} B minified, ${gzipped} B gzipped `
    + `(budget ${BUDGET_GZIP_BYTES} B) -> ${out}`);
if (gzipped > BUDGET_GZIP_BYTES) {
  console.error(`dni.js is over its budget: ${gzipped} B gzipped > ${BUDGET_GZIP_BYTES} B`);
  process.exit(1);
}

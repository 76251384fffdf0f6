/**
 * The Argon2id WebAssembly modules under Node.js (the `manage` CLI, the benchmark's seeding): compiled from the
 * package's files. Chosen by the default condition of `#argon2id-wasm`.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
/** Node's WebAssembly.compile (the Workers types this project is checked against leave it out: Workers refuse it). */
const { compile } = WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> };
const load = async (path: string) => compile(await readFile(require.resolve(path)));

export async function argon2idModules(): Promise<{ simd: WebAssembly.Module; fallback: WebAssembly.Module }> {
  const [simd, fallback] = await Promise.all([load("argon2id/dist/simd.wasm"), load("argon2id/dist/no-simd.wasm")]);
  return { simd, fallback };
}

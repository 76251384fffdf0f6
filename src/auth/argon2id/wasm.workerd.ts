/**
 * The Argon2id WebAssembly modules in the Workers runtime: bundled as compiled modules (Workers refuse to
 * compile WebAssembly from bytes at run time). Chosen by the `workerd` condition of `#argon2id-wasm`.
 */
import fallback from "argon2id/dist/no-simd.wasm";
import simd from "argon2id/dist/simd.wasm";

export async function argon2idModules(): Promise<{ simd: WebAssembly.Module; fallback: WebAssembly.Module }> {
  return { simd, fallback };
}

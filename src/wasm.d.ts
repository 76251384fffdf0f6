/** `.wasm` files imported in the Worker are bundled as compiled WebAssembly modules. */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

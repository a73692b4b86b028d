/**
 * The WebAssembly loader inside mcl-wasm (its `dist/mcl_c.js`, the wasm embedded as base64): it instantiates
 * a private copy of mcl and hands back its raw C API, so nothing is shared with other users of mcl-wasm's
 * global JavaScript wrapper. Only the functions ic-ws-client calls are declared; pointers are i32 offsets into
 * `wasmMemory`. Signatures follow mcl's `include/mcl/bn.h` (mclSize is 32-bit in wasm32).
 */
declare module 'mcl-wasm/dist/mcl_c.js' {
  export interface McLModule {
    wasmMemory: WebAssembly.Memory;
    _malloc(size: number): number;
    _free(pointer: number): void;
    _mclBn_init(curve: number, compiledTimeVar: number): number;
    _mclBn_setETHserialization(enable: number): void;
    _mclBn_setMapToMode(mode: number): number;
    _mclBn_verifyOrderG1(doVerify: number): void;
    _mclBn_verifyOrderG2(doVerify: number): void;
    _mclBnG1_setDst(dst: number, dstSize: number): number;
    _mclBnG1_deserialize(point: number, buf: number, bufSize: number): number;
    _mclBnG1_isZero(point: number): number;
    _mclBnG1_hashAndMapTo(point: number, buf: number, bufSize: number): number;
    _mclBnG2_deserialize(point: number, buf: number, bufSize: number): number;
    _mclBnG2_isZero(point: number): number;
    _mclBnG2_neg(out: number, point: number): void;
    _mclBn_getUint64NumToPrecompute(): number;
    _mclBn_precomputeG2(lines: number, point: number): void;
    _mclBn_precomputedMillerLoop2(out: number, p1: number, q1Lines: number, p2: number, q2Lines: number): void;
    _mclBn_finalExp(out: number, value: number): void;
    _mclBnGT_isOne(value: number): number;
  }
  export default function createModule(options: { cryptoGetRandomValues(buffer: Uint8Array): void }): Promise<McLModule>;
}

/**
 * Assembles small wasm modules for the rewriters' unit tests: function types, exported functions (each a body
 * without locals), one memory exported as `memory`, and optional globals. Test support only.
 */
import { encodeName, leb } from './wasm-reader';

/** An exported function of a test module. */
export type TestFunction = [name: string, typeIndex: number, code: number[]];

/** What a test module holds. */
export interface TestModuleSpec {
  /** Encoded function types (`0x60, params..., results...`). */
  types: number[][];
  functions: TestFunction[];
  /** Initial pages of the memory. */
  memoryPages: number;
  /** Encoded globals (type, mutability, constant expression). @default none */
  globals?: number[][];
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

/** The module's bytes. */
export function buildTestModule(spec: TestModuleSpec): Uint8Array {
  const { types, functions, memoryPages, globals = [] } = spec;
  const bodies = functions.map(([, , code]) => [0, ...code, 0x0b]);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [types.length, ...types.flat()]),
    ...section(3, [functions.length, ...functions.map(([, type]) => type)]),
    ...section(5, [1, 0x00, ...leb(memoryPages)]),
    ...(globals.length > 0 ? section(6, [globals.length, ...globals.flat()]) : []),
    ...section(7, [
      functions.length + 1,
      ...encodeName('memory'), 2, 0,
      ...functions.flatMap(([exportName], index) => [...encodeName(exportName), 0, ...leb(index)]),
    ]),
    ...section(10, [bodies.length, ...bodies.flatMap((body) => [...leb(body.length), ...body])]),
  ]);
}

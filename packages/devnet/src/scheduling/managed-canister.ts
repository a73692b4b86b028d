/**
 * A canister as the subnet manages it: its id, controllers, run status and Wasm chunk store, which exist from
 * creation on, and its code and state (`CanisterInstance`) once a module is installed. A created canister
 * without code is "empty": calls to it are rejected, `install_code` fills it.
 */
import { Principal } from '@dfinity/principal';
import type { CanisterInstance } from '../execution/canister-instance';
import type { CanisterRunStatus, CanisterSettingsImage } from '../persistence/canister-image';
import { WasmChunkStore } from './wasm-chunk-store';

/** The IC's limit on controllers per canister. */
export const MAX_CONTROLLERS = 10;

/** One canister of the subnet, with or without code. */
export class ManagedCanister {
  readonly id: Principal;
  readonly idBytes: Uint8Array;
  readonly idText: string;
  #controllers: Uint8Array[];
  status: CanisterRunStatus = 'running';
  readonly chunks = new WasmChunkStore();
  /** The installed code and its state; undefined while the canister is empty. */
  #instance: CanisterInstance | undefined;
  /** `canister_version`: counts code changes and settings changes, as on the IC. */
  #version = 0n;
  /** Bumped on every change a commit must persist that no execution makes (settings, status, chunks). */
  settingsChanges = 0;
  /** Bumped whenever the instance is replaced (install, reinstall, uninstall). */
  #codeChanges = 0;

  constructor(id: Principal, controllers: readonly Uint8Array[]) {
    this.id = id;
    this.idBytes = id.toUint8Array();
    this.idText = id.toText();
    this.#controllers = controllers.map((controller) => controller.slice());
  }

  get instance(): CanisterInstance | undefined {
    return this.#instance;
  }

  /** Puts code in (or takes it out with `undefined`); the instance reads its version and controllers from here. */
  set instance(instance: CanisterInstance | undefined) {
    this.#instance = instance;
    this.#codeChanges++;
    if (instance !== undefined) {
      instance.version = this.#version;
      instance.controllers = this.#controllers;
    }
  }

  /**
   * Moves whenever the heap, stable memory or module may have changed (a committed execution, an upgrade, a
   * new or removed instance): persistence compares memory only when it moved.
   */
  get memoryChangeCount(): number {
    return this.#codeChanges * 2 ** 32 + (this.#instance?.changeCount ?? 0);
  }

  get controllers(): readonly Uint8Array[] {
    return this.#controllers;
  }

  set controllers(controllers: readonly Uint8Array[]) {
    this.#controllers = controllers.map((controller) => controller.slice());
    if (this.#instance !== undefined) this.#instance.controllers = this.#controllers;
    this.settingsChanges++;
  }

  get version(): bigint {
    return this.#version;
  }

  /** One more change of code or settings. */
  bumpVersion(): void {
    this.#version++;
    if (this.#instance !== undefined) this.#instance.version = this.#version;
  }

  /** Restores the version a persisted canister had. */
  restoreVersion(version: bigint): void {
    this.#version = version;
    if (this.#instance !== undefined) this.#instance.version = version;
  }

  isController(principal: Uint8Array): boolean {
    return this.#controllers.some((controller) => sameBytes(controller, principal));
  }

  /** The controllers as text, space-separated, as the replica lists them. */
  controllersText(): string {
    return this.#controllers.map((controller) => Principal.fromUint8Array(controller).toText()).join(' ');
  }

  /** What persistence keeps besides code and memory. */
  settingsImage(): CanisterSettingsImage {
    return { controllers: this.#controllers, status: this.status, chunks: this.chunks.chunks };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SignIdentity, type DerEncodedPublicKey, type PublicKey, type Signature } from '@dfinity/agent';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';

/**
 * An Ed25519 identity over Node's own crypto (no extra dependency): the gateway signs `ws_get_messages`
 * and `ws_close` with it, and canisters know the gateway by its principal.
 */
export class NodeEd25519Identity extends SignIdentity {
  readonly #privateKey: KeyObject;
  readonly #publicKey: PublicKey;

  constructor(privateKey: KeyObject) {
    super();
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new GatewayError(ErrorCode.IdentityFileInvalid, `expected an Ed25519 key, got ${privateKey.asymmetricKeyType}`);
    }
    this.#privateKey = privateKey;
    // Node's SPKI DER of an Ed25519 key is exactly the IC's DER public key (OID 1.3.101.112 + 32 bytes).
    const der = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })) as DerEncodedPublicKey;
    this.#publicKey = { toDer: () => der, derKey: der, rawKey: der.subarray(der.length - 32) };
  }

  /** A fresh random identity (tests, ephemeral gateways). */
  static generate(): NodeEd25519Identity {
    return new NodeEd25519Identity(generateKeyPairSync('ed25519').privateKey);
  }

  /** Reads a PKCS#8 PEM Ed25519 key (the format `dfx identity` and `openssl genpkey -algorithm ed25519` write). */
  static fromPem(pem: string): NodeEd25519Identity {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch (error) {
      throw new GatewayError(ErrorCode.IdentityFileInvalid, `not a PEM private key: ${describeError(error)}`, { cause: error });
    }
    return new NodeEd25519Identity(key);
  }

  /** The key as PKCS#8 PEM. */
  toPem(): string {
    return this.#privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  getPublicKey(): PublicKey {
    return this.#publicKey;
  }

  async sign(blob: Uint8Array): Promise<Signature> {
    return new Uint8Array(sign(null, blob, this.#privateKey)) as Signature;
  }
}

/**
 * Loads the gateway identity from `path`, creating it (mode 0600, parent folders as needed) when the file
 * does not exist, so a restarted gateway keeps its principal.
 *
 * @throws GatewayError `IDENTITY_FILE_INVALID` when the file exists but is unreadable or not an Ed25519 key.
 */
export async function loadOrCreateIdentity(path: string): Promise<{ identity: NodeEd25519Identity; created: boolean }> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new GatewayError(ErrorCode.IdentityFileInvalid, `cannot read ${path}: ${describeError(error)}`, { cause: error });
    }
    const identity = NodeEd25519Identity.generate();
    await mkdir(dirname(path), { recursive: true });
    // `wx`: never overwrite a key another process created meanwhile.
    await writeFile(path, identity.toPem(), { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    return { identity, created: true };
  }
  return { identity: NodeEd25519Identity.fromPem(pem), created: false };
}

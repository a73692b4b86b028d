import type { Principal } from '@dfinity/principal';
import type { ClientKey } from 'ic-ws-protocol';
import { HeldWrites } from './held-writes';
import { principalText } from './principal-text';
import { decodeClientRecord, encodeClientRecord, type ClientRecord } from './stable-records';
import type { StableMap } from './stable-store';

/** A connected client as the core tracks it: its stable record plus the keys it is indexed by. */
export interface ConnectedClient {
  /** Key of the record in the `clients` stable map, see {@link clientId}. */
  readonly id: string;
  /** Principal text of the client's gateway. */
  readonly gatewayText: string;
  readonly record: ClientRecord;
}

/** The stable-map key of a client key: `<principal text>:<nonce>`. */
export function clientId(principal: Principal, nonce: bigint): string {
  return `${principalText(principal)}:${nonce.toString()}`;
}

/** A fresh {@link ClientKey} object for `client` (the app gets copies, never the registry's own). */
export function clientKeyOf(client: ConnectedClient): ClientKey {
  return { client_principal: client.record.clientPrincipal, client_nonce: client.record.clientNonce };
}

/**
 * The connected clients: stable records written through on every change, plus heap indexes by client key,
 * by principal (in opening order) and by gateway, rebuilt from the stable map by {@link load} after an
 * upgrade. Every operation is O(1) or O(log n) apart from `load` and iteration.
 */
export class ClientRegistry {
  private readonly byId = new Map<string, ConnectedClient>();
  private readonly byPrincipal = new Map<string, Map<string, ConnectedClient>>();
  private readonly byGateway = new Map<string, Set<string>>();
  private readonly writes = new HeldWrites<ConnectedClient>(
    (client) => this.store.set(client.id, encodeClientRecord(client.record)),
    (client) => this.byId.get(client.id) === client,
  );

  constructor(private readonly store: StableMap) {}

  /** Rebuilds the heap indexes from stable storage (post_upgrade). */
  load(): void {
    this.byId.clear();
    this.byPrincipal.clear();
    this.byGateway.clear();
    const records = Array.from(this.store.entries(), ([, bytes]) => decodeClientRecord(bytes));
    // Principal indexes list connections oldest first; restore that order.
    records.sort((a, b) => (a.connectionId < b.connectionId ? -1 : a.connectionId > b.connectionId ? 1 : 0));
    for (const record of records) this.index(record);
  }

  /** Number of connected clients. */
  get size(): number {
    return this.byId.size;
  }

  /** The client with this key, if connected. */
  get(key: ClientKey): ConnectedClient | undefined {
    return this.byId.get(clientId(key.client_principal, key.client_nonce));
  }

  /** The connections of `principal`, oldest first. */
  ofPrincipal(principal: Principal): ConnectedClient[] {
    const connections = this.byPrincipal.get(principalText(principal));
    return connections ? [...connections.values()] : [];
  }

  /** Number of connections of `principal`. */
  countOfPrincipal(principal: Principal): number {
    return this.byPrincipal.get(principalText(principal))?.size ?? 0;
  }

  /** Number of clients registered through the gateway with this principal text. */
  countOfGateway(gatewayText: string): number {
    return this.byGateway.get(gatewayText)?.size ?? 0;
  }

  /** The clients registered through the gateway with this principal text (a snapshot). */
  ofGateway(gatewayText: string): ConnectedClient[] {
    const ids = this.byGateway.get(gatewayText);
    return ids ? [...ids].map((id) => this.byId.get(id) as ConnectedClient) : [];
  }

  /** The client whose record is stored under `id`. */
  getById(id: string): ConnectedClient | undefined {
    return this.byId.get(id);
  }

  /** The ids of every client, sorted (the ack round's order). */
  sortedIds(): string[] {
    return [...this.byId.keys()].sort();
  }

  /** Every connected client (a snapshot, so callers may remove clients while iterating). */
  all(): ConnectedClient[] {
    return [...this.byId.values()];
  }

  /** Registers a new client and writes its record. */
  add(record: ClientRecord): ConnectedClient {
    const client = this.index(record);
    this.store.set(client.id, encodeClientRecord(record));
    return client;
  }

  /**
   * Writes back a changed record of a registered client: at once, or, between {@link hold} and {@link flush},
   * once at the flush however often it changed (a batch of sends changes a client's record per message).
   */
  save(client: ConnectedClient): void {
    this.writes.save(client);
  }

  /** Holds the writes of {@link save} until {@link flush}. */
  hold(): void {
    this.writes.hold();
  }

  /** Writes the records held since {@link hold} (of clients still registered) and stops holding. */
  flush(): void {
    this.writes.flush();
  }

  /** Unregisters a client and deletes its record. */
  remove(client: ConnectedClient): void {
    this.writes.drop(client);
    this.store.delete(client.id);
    this.byId.delete(client.id);
    const text = principalText(client.record.clientPrincipal);
    const connections = this.byPrincipal.get(text);
    connections?.delete(client.id);
    if (connections?.size === 0) this.byPrincipal.delete(text);
    const ofGateway = this.byGateway.get(client.gatewayText);
    ofGateway?.delete(client.id);
    if (ofGateway?.size === 0) this.byGateway.delete(client.gatewayText);
  }

  private index(record: ClientRecord): ConnectedClient {
    const client: ConnectedClient = {
      id: clientId(record.clientPrincipal, record.clientNonce),
      gatewayText: principalText(record.gateway),
      record,
    };
    this.byId.set(client.id, client);
    const text = principalText(record.clientPrincipal);
    let connections = this.byPrincipal.get(text);
    if (!connections) this.byPrincipal.set(text, (connections = new Map()));
    connections.set(client.id, client);
    let ofGateway = this.byGateway.get(client.gatewayText);
    if (!ofGateway) this.byGateway.set(client.gatewayText, (ofGateway = new Set()));
    ofGateway.add(client.id);
    return client;
  }
}

import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import * as idl from './idl';
import type { CanisterWsMessageArguments } from './types';
import { DEFAULT_APP_MESSAGE_IDL, wsServiceDid, wsServiceIdlFactory, wsServiceMethods } from './ws-service';

const AppMessage = IDL.Record({ text: IDL.Text, n: IDL.Nat32 });

function service(appMessageIdl?: IDL.Type): IDL.ServiceClass {
  return wsServiceIdlFactory(appMessageIdl)({ IDL }) as IDL.ServiceClass;
}

const args: CanisterWsMessageArguments = {
  msg: {
    client_key: { client_principal: Principal.fromText('aaaaa-aa'), client_nonce: 1n },
    sequence_num: 1n,
    timestamp: 2n,
    is_service_message: false,
    content: Uint8Array.of(1),
  },
  message_id: [],
};

describe('wsServiceIdlFactory', () => {
  it('declares exactly the four methods, ws_get_messages as the only query', () => {
    const fields = Object.fromEntries(service()._fields);
    expect(Object.keys(fields).sort()).toEqual(['ws_close', 'ws_get_messages', 'ws_message', 'ws_open']);
    expect(fields.ws_get_messages?.annotations).toEqual(['query']);
    for (const name of ['ws_open', 'ws_close', 'ws_message']) expect(fields[name]?.annotations).toEqual([]);
  });

  it('puts opt AppMessage as the second argument of ws_message (null by default)', () => {
    const byDefault = Object.fromEntries(service()._fields).ws_message;
    expect(byDefault?.argTypes.map((t) => t.display())).toEqual([idl.CanisterWsMessageArgumentsIdl.display(), 'opt null']);
    const custom = Object.fromEntries(service(AppMessage)._fields).ws_message;
    expect(custom?.argTypes[1]?.display()).toBe(IDL.Opt(AppMessage).display());
    expect(DEFAULT_APP_MESSAGE_IDL.display()).toBe('null');
  });

  it('uses the same argument and result types as wsServiceMethods', () => {
    const table = wsServiceMethods(AppMessage);
    for (const [name, func] of service(AppMessage)._fields) {
      const method = table[name as keyof typeof table];
      expect(func.argTypes.map((t) => t.display())).toEqual(method.argTypes.map((t) => t.display()));
      expect(func.retTypes.map((t) => t.display())).toEqual(method.retTypes.map((t) => t.display()));
      expect(func.annotations.includes('query')).toBe(method.query);
    }
  });

  it('an empty opt sent with the default app type decodes against any app type', () => {
    const sent = IDL.encode(wsServiceMethods().ws_message.argTypes, [args, []]);
    const [decodedArgs, app] = IDL.decode(wsServiceMethods(AppMessage).ws_message.argTypes, sent);
    expect(decodedArgs).toEqual(args);
    expect(app).toEqual([]);
  });
});

describe('wsServiceDid', () => {
  const did = wsServiceDid('AppMessage');

  it('declares every record and variant with the fields of its IDL value', () => {
    const declared = new Map<string, string[]>();
    for (const match of did.matchAll(/type (\w+) = (?:record|variant) \{([^}]*)\}/g)) {
      const body = match[2] as string;
      const fields = body.split(';').map((part) => /^\s*(\w+)/.exec(part)?.[1]).filter((f) => f !== undefined);
      declared.set(match[1] as string, fields.sort());
    }
    const records = Object.entries(idl).filter(([name]) => declared.has(name.replace(/Idl$/, '')));
    expect(records.length).toBe(13);
    for (const [name, type] of records) {
      const fields = (type as IDL.RecordClass)._fields.map(([field]) => field).sort();
      expect(declared.get(name.replace(/Idl$/, '')), name).toEqual(fields);
    }
  });

  it('lists the four methods with their argument and result types', () => {
    expect(did).toContain('ws_open : (CanisterWsOpenArguments) -> (CanisterWsOpenResult);');
    expect(did).toContain('ws_close : (CanisterWsCloseArguments) -> (CanisterWsCloseResult);');
    expect(did).toContain('ws_message : (CanisterWsMessageArguments, opt AppMessage) -> (CanisterWsMessageResult);');
    expect(did).toContain('ws_get_messages : (CanisterWsGetMessagesArguments) -> (CanisterWsGetMessagesResult) query;');
    expect(wsServiceDid()).toContain('opt null)');
  });
});

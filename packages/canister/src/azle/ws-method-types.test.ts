import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';
import { wsServiceIdlFactory } from 'ic-ws-protocol';
import { wsMethodTypes } from './ws-method-types';

describe('wsMethodTypes', () => {
  it('gives the exact Candid types of the protocol service for the four methods', () => {
    const App = IDL.Record({ text: IDL.Text });
    const types = wsMethodTypes(App);
    const service = wsServiceIdlFactory(App)({ IDL }) as IDL.ServiceClass;
    expect(Object.keys(types).sort()).toEqual(service._fields.map(([name]) => name).sort());
    for (const [name, func] of service._fields) {
      const mine = types[name as keyof typeof types];
      expect(mine.args.map((t) => t.display())).toEqual(func.argTypes.map((t) => t.display()));
      expect([mine.ret.display()]).toEqual(func.retTypes.map((t) => t.display()));
    }
    expect(types.ws_message.args[1]?.display()).toBe('opt record {text:text}');
  });
});

/**
 * Reads the method signatures of a Candid service (.did text) into a canonical form, so two .did files that
 * spell one interface differently compare equal: named types are inlined, record and variant fields are
 * sorted, a bare variant tag becomes `tag:null`, quoted names lose their quotes and `blob` is `vec nat8`.
 * It knows the subset of Candid that canisters generate (no func or service types as values, no recursion).
 */

import type { IDL } from '@dfinity/candid';

type Token = string;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|\/\/[^\n]*|"(?:[^"\\]|\\.)*"|->|[{}();:,=]|[A-Za-z_][A-Za-z0-9_]*/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    const token = match[0];
    if (!/^\s/.test(token) && !token.startsWith('//')) tokens.push(token);
  }
  if (pattern.lastIndex < text.length) throw new Error(`cannot read .did text at: ${text.slice(pattern.lastIndex, pattern.lastIndex + 30)}`);
  return tokens;
}

class Reader {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token {
    const token = this.tokens[this.i++];
    if (token === undefined) throw new Error('unexpected end of .did text');
    return token;
  }
  expect(token: Token): void {
    const got = this.next();
    if (got !== token) throw new Error(`expected '${token}', got '${got}'`);
  }
}

type TypeAst = { kind: 'name'; name: string } | { kind: 'opt' | 'vec'; inner: TypeAst } | { kind: 'record' | 'variant'; fields: [string, TypeAst | undefined][] };

function readType(r: Reader): TypeAst {
  const head = r.next();
  if (head === 'opt' || head === 'vec') return { kind: head, inner: readType(r) };
  if (head === 'blob') return { kind: 'vec', inner: { kind: 'name', name: 'nat8' } };
  if (head === 'record' || head === 'variant') {
    r.expect('{');
    const fields: [string, TypeAst | undefined][] = [];
    while (r.peek() !== '}') {
      const name = r.next().replace(/^"|"$/g, '');
      let type: TypeAst | undefined;
      if (r.peek() === ':') {
        r.next();
        type = readType(r);
      }
      fields.push([name, type]);
      if (r.peek() === ';') r.next();
    }
    r.expect('}');
    return { kind: head, fields };
  }
  return { kind: 'name', name: head };
}

function readTuple(r: Reader): TypeAst[] {
  r.expect('(');
  const types: TypeAst[] = [];
  while (r.peek() !== ')') {
    types.push(readType(r));
    if (r.peek() === ',') r.next();
  }
  r.expect(')');
  return types;
}

function canonical(type: TypeAst, defs: Map<string, TypeAst>): string {
  switch (type.kind) {
    case 'name': {
      const def = defs.get(type.name);
      return def ? canonical(def, defs) : type.name;
    }
    case 'opt':
    case 'vec':
      return `${type.kind} ${canonical(type.inner, defs)}`;
    case 'record':
    case 'variant': {
      const fields = type.fields.map(([name, t]) => `${name}:${t === undefined ? 'null' : canonical(t, defs)}`).sort();
      return `${type.kind}{${fields.join(';')}}`;
    }
  }
}

/** Every method of the service in `did`, as `name -> "(args) -> (results)[ query]"` in canonical form. */
export function didMethodSignatures(did: string): Map<string, string> {
  const r = new Reader(tokenize(did));
  const defs = new Map<string, TypeAst>();
  const methods = new Map<string, string>();
  while (r.peek() !== undefined) {
    const keyword = r.next();
    if (keyword === 'type') {
      const name = r.next();
      r.expect('=');
      defs.set(name, readType(r));
      r.expect(';');
    } else if (keyword === 'service') {
      if (r.peek() !== ':') r.next(); // a service name
      r.expect(':');
      if (r.peek() === '(') {
        readTuple(r); // init arguments
        r.expect('->');
      }
      r.expect('{');
      while (r.peek() !== '}') {
        const name = r.next().replace(/^"|"$/g, '');
        r.expect(':');
        const args = readTuple(r);
        r.expect('->');
        const results = readTuple(r);
        const modes: string[] = [];
        while (r.peek() !== ';' && r.peek() !== '}') modes.push(r.next());
        if (r.peek() === ';') r.next();
        const text = (list: TypeAst[]) => `(${list.map((t) => canonical(t, defs)).join(', ')})`;
        methods.set(name, `${text(args)} -> ${text(results)}${modes.length ? ` ${modes.join(' ')}` : ''}`);
      }
      r.expect('}');
      if (r.peek() === ';') r.next();
    } else {
      throw new Error(`unexpected '${keyword}' in .did text`);
    }
  }
  return methods;
}

/** The method signatures of a Candid service type, in the same canonical form as {@link didMethodSignatures}. */
export function serviceSignatures(service: IDL.ServiceClass): Map<string, string> {
  const methods = service._fields.map(([name, func]) => {
    const list = (types: IDL.Type[]) => `(${types.map((type) => type.display()).join(', ')})`;
    return `${name} : ${list(func.argTypes)} -> ${list(func.retTypes)}${func.annotations.map((a) => ` ${a}`).join('')};`;
  });
  return didMethodSignatures(`service : { ${methods.join(' ')} }`);
}

// The `expect` column of feedparser's MANIFEST.tsv is a Python expression over feedparser's
// result. This reads the subset the manifest uses into a small syntax tree — boolean
// operators, (chained) comparisons, `in`, `+`, subscripts, attributes, calls, and string,
// number, tuple and dict literals — so expectations.ts can translate each expression into the
// property it states about Tributary's output. Nothing is ever evaluated as Python.

export type Expr =
  | { kind: "str"; value: string }
  | { kind: "num"; value: number }
  | { kind: "tuple"; items: Expr[] }
  | { kind: "dict"; entries: [Expr, Expr][] }
  | { kind: "name"; name: string }
  /** `x[key]` and `x.key` alike: feedparser's dicts answer both. */
  | { kind: "get"; target: Expr; key: Expr }
  | { kind: "call"; callee: Expr; args: Expr[] }
  | { kind: "not"; operand: Expr }
  | { kind: "and" | "or"; operands: Expr[] }
  /** `a == b == c` is `a == b and b == c`, as in Python. */
  | { kind: "compare"; operands: Expr[]; ops: CompareOp[] }
  | { kind: "add"; left: Expr; right: Expr };

export type CompareOp = "==" | "!=" | ">=" | "<=" | ">" | "<" | "in" | "not in";

type Token =
  | { type: "str"; value: string }
  | { type: "num"; value: number }
  | { type: "name"; value: string }
  | { type: "op"; value: string };

const OPERATORS = [
  "==",
  "!=",
  ">=",
  "<=",
  ">",
  "<",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ".",
  "+",
];

/** Python string escapes as the manifest uses them: \xNN, \uNNNN, \n, \t, \\, quotes. */
function pythonUnescape(body: string): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt\\'"0]|\n)/g,
    (_m, esc: string) => {
      const c = esc[0];
      if (c === "x" || c === "u" || c === "U")
        return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
      if (c === "n") return "\n";
      if (c === "r") return "\r";
      if (c === "t") return "\t";
      if (c === "0") return "\0";
      if (c === "\n") return "";
      return esc;
    },
  );
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const str = /^[uUbB]?[rR]?('''|"""|'|")/.exec(rest);
    if (str?.[1]) {
      const quote = str[1];
      const raw = /[rR]/.test(str[0].slice(0, -quote.length));
      let j = str[0].length;
      let body = "";
      while (j < rest.length && !rest.startsWith(quote, j)) {
        if (rest[j] === "\\" && !raw) {
          body += rest.slice(j, j + 2);
          j += 2;
        } else {
          body += rest[j];
          j++;
        }
      }
      if (j >= rest.length) throw new SyntaxError(`unterminated string in ${source}`);
      tokens.push({ type: "str", value: raw ? body : pythonUnescape(body) });
      i += j + quote.length;
      continue;
    }
    const num = /^\d+(?:\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ type: "num", value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      tokens.push({ type: "name", value: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op === undefined)
      throw new SyntaxError(`unexpected ${JSON.stringify(rest[0])} in ${source}`);
    tokens.push({ type: "op", value: op });
    i += op.length;
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Expr {
    const expr = this.or();
    if (this.at < this.tokens.length) this.fail("trailing tokens");
    return expr;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.type === "op" && t.value === value;
  }

  private isWord(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.type === "name" && t.value === value;
  }

  private expectOp(value: string): void {
    if (!this.isOp(value)) this.fail(`expected ${value}`);
    this.at++;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at token ${this.at} of ${this.source}`);
  }

  private or(): Expr {
    const operands = [this.and()];
    while (this.isWord("or")) {
      this.at++;
      operands.push(this.and());
    }
    return operands.length === 1 ? (operands[0] as Expr) : { kind: "or", operands };
  }

  private and(): Expr {
    const operands = [this.not()];
    while (this.isWord("and")) {
      this.at++;
      operands.push(this.not());
    }
    return operands.length === 1 ? (operands[0] as Expr) : { kind: "and", operands };
  }

  private not(): Expr {
    if (this.isWord("not")) {
      this.at++;
      return { kind: "not", operand: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const operands = [this.sum()];
    const ops: CompareOp[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.type === "op" && ["==", "!=", ">=", "<=", ">", "<"].includes(t.value)) {
        this.at++;
        ops.push(t.value as CompareOp);
      } else if (this.isWord("in")) {
        this.at++;
        ops.push("in");
      } else if (this.isWord("not") && this.isWord("in", 1)) {
        this.at += 2;
        ops.push("not in");
      } else break;
      operands.push(this.sum());
    }
    return ops.length === 0 ? (operands[0] as Expr) : { kind: "compare", operands, ops };
  }

  private sum(): Expr {
    let left = this.postfix();
    while (this.isOp("+")) {
      this.at++;
      left = { kind: "add", left, right: this.postfix() };
    }
    return left;
  }

  private postfix(): Expr {
    let expr = this.atom();
    for (;;) {
      if (this.isOp("[")) {
        this.at++;
        const key = this.or();
        this.expectOp("]");
        expr = { kind: "get", target: expr, key };
      } else if (this.isOp(".")) {
        this.at++;
        const name = this.peek();
        if (name?.type !== "name") this.fail("expected a name after .");
        this.at++;
        expr = { kind: "get", target: expr, key: { kind: "str", value: name.value } };
      } else if (this.isOp("(")) {
        this.at++;
        const args: Expr[] = [];
        while (!this.isOp(")")) {
          args.push(this.or());
          if (this.isOp(",")) this.at++;
        }
        this.at++;
        expr = { kind: "call", callee: expr, args };
      } else return expr;
    }
  }

  private atom(): Expr {
    const t = this.peek();
    if (t === undefined) this.fail("unexpected end");
    this.at++;
    if (t.type === "str") {
      // Adjacent literals concatenate, as in Python.
      let value = t.value;
      for (let next = this.peek(); next?.type === "str"; next = this.peek()) {
        value += next.value;
        this.at++;
      }
      return { kind: "str", value };
    }
    if (t.type === "num") return { kind: "num", value: t.value };
    if (t.type === "name") return { kind: "name", name: t.value };
    if (t.value === "(") {
      const items: Expr[] = [];
      let comma = false;
      while (!this.isOp(")")) {
        items.push(this.or());
        if (this.isOp(",")) {
          comma = true;
          this.at++;
        }
      }
      this.at++;
      return items.length === 1 && !comma ? (items[0] as Expr) : { kind: "tuple", items };
    }
    if (t.value === "{") {
      const entries: [Expr, Expr][] = [];
      while (!this.isOp("}")) {
        const key = this.or();
        this.expectOp(":");
        entries.push([key, this.or()]);
        if (this.isOp(",")) this.at++;
      }
      this.at++;
      return { kind: "dict", entries };
    }
    return this.fail(`unexpected ${t.value}`);
  }
}

/** Parses one manifest expression; throws SyntaxError for anything outside the subset. */
export function parsePython(source: string): Expr {
  return new Parser(tokenize(source), source).parse();
}

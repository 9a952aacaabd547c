/**
 * A small declarative schema language for configuration files: objects, numbers, integers,
 * strings, enums, booleans and arrays, each optionally with a default, a range and a
 * description. {@link Infer} gives the TypeScript type of the validated value.
 */

/**
 * What every schema node carries. `T` is the type of the validated value (phantom).
 *
 * @example
 * ```ts
 * const base: SchemaBase<number> = { description: "neighbours", default: 200 };
 * ```
 */
export interface SchemaBase<T> {
  /** One-line description, used in help text and generated documentation. */
  readonly description?: string;
  /** Value used when the key is absent (or `~`/null); makes the key optional. */
  readonly default?: T;
  /** The key may be absent; the value is then `undefined`. */
  readonly optional?: boolean;
  /** Phantom field carrying the value type; never set. */
  readonly __type?: T;
}

/**
 * A number, optionally an integer, within an optional range.
 *
 * @example
 * ```ts
 * const lr: NumberSchema = s.number({ min: 0, minExclusive: true, default: 0.1 });
 * ```
 */
export interface NumberSchema<T = number> extends SchemaBase<T> {
  readonly kind: "number";
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** `min` itself is not allowed (the range is open on the left). */
  readonly minExclusive?: boolean;
  /** `max` itself is not allowed (the range is open on the right). */
  readonly maxExclusive?: boolean;
}

/**
 * A string, optionally matching a pattern.
 *
 * @example
 * ```ts
 * const name: StringSchema<string | undefined> = s.string({ optional: true });
 * ```
 */
export interface StringSchema<T = string> extends SchemaBase<T> {
  readonly kind: "string";
  /** A number is accepted too, as its decimal text (e.g. `checkpointEvery: 1` is `"1"`). */
  readonly numbers?: boolean;
  readonly pattern?: RegExp;
  /** Human words for what the pattern allows, shown in errors. */
  readonly patternHint?: string;
}

/**
 * One of a fixed list of strings or numbers.
 *
 * @example
 * ```ts
 * const mode = s.enum(["fail", "skip"], { default: "fail" }); // EnumSchema<"fail" | "skip">
 * ```
 */
export interface EnumSchema<V extends string | number = string | number, T = V>
  extends SchemaBase<T> {
  readonly kind: "enum";
  readonly values: readonly V[];
}

/**
 * `true` or `false`.
 *
 * @example
 * ```ts
 * const on: BoolSchema = s.bool({ default: true });
 * ```
 */
export interface BoolSchema<T = boolean> extends SchemaBase<T> {
  readonly kind: "bool";
}

/**
 * A list of items that all follow one schema.
 *
 * @example
 * ```ts
 * const mean = s.array(s.number(), { minItems: 1, maxItems: 3, optional: true });
 * ```
 */
export interface ArraySchema<I extends AnySchema = AnySchema, T = Infer<I>[]>
  extends SchemaBase<T> {
  readonly kind: "array";
  readonly items: I;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/**
 * A cross-field problem reported by an object's `check`: the key path (relative) and why.
 *
 * @example
 * ```ts
 * const issue: CheckIssue = { path: ["path"], message: "data.path is required" };
 * ```
 */
export interface CheckIssue {
  /** Keys from the checked object down to the offending value, e.g. `["path"]`. */
  path: string[];
  message: string;
}

/**
 * A mapping with a fixed set of keys. Unknown keys are errors.
 *
 * @example
 * ```ts
 * const knn = s.object({ k: s.int({ min: 1, default: 200 }) }); // ObjectSchema<...>
 * ```
 */
export interface ObjectSchema<
  F extends Record<string, AnySchema> = Record<string, AnySchema>,
  T = InferFields<F>,
> extends SchemaBase<T> {
  readonly kind: "object";
  readonly fields: F;
  /** Cross-field validation, run once every field is valid. */
  check?(value: InferFields<F>): CheckIssue[];
}

/**
 * Any schema node.
 *
 * @example
 * ```ts
 * const fields: Record<string, AnySchema> = { k: s.int(), on: s.bool() };
 * ```
 */
export type AnySchema =
  // deno-lint-ignore no-explicit-any
  | NumberSchema<any>
  // deno-lint-ignore no-explicit-any
  | StringSchema<any>
  // deno-lint-ignore no-explicit-any
  | EnumSchema<any, any>
  // deno-lint-ignore no-explicit-any
  | BoolSchema<any>
  // deno-lint-ignore no-explicit-any
  | ArraySchema<any, any>
  // deno-lint-ignore no-explicit-any
  | ObjectSchema<any, any>;

/**
 * The validated value type of a schema.
 *
 * @example
 * ```ts
 * const schema = s.object({ k: s.int({ default: 200 }) });
 * type Knn = Infer<typeof schema>; // { k: number }
 * ```
 */
export type Infer<S> = S extends { readonly __type?: infer T } ? T : never;

/**
 * The validated value type of an object's fields.
 *
 * @example
 * ```ts
 * type F = InferFields<{ k: NumberSchema }>; // { k: number }
 * ```
 */
export type InferFields<F extends Record<string, AnySchema>> = {
  -readonly [K in keyof F]: Infer<F[K]>;
};

/** Options every builder takes. */
interface Common<T> {
  description?: string;
  default?: T;
}

type Opt<T, O> = O extends { optional: true } ? T | undefined : T;

/**
 * Builders for schema nodes.
 *
 * @example
 * ```ts
 * const schema = s.object({
 *   k: s.int({ min: 1, default: 200 }),
 *   mode: s.enum(["a", "b"], { default: "a" }),
 * });
 * ```
 */
export const s = {
  /** A number; `{ min, max, minExclusive, maxExclusive, default, optional }`. */
  number<O extends NumOpts>(opts?: O): NumberSchema<Opt<number, O>> {
    return { kind: "number", ...opts } as NumberSchema<Opt<number, O>>;
  },
  /** An integer; same options as `number`. */
  int<O extends NumOpts>(opts?: O): NumberSchema<Opt<number, O>> {
    return { kind: "number", integer: true, ...opts } as NumberSchema<Opt<number, O>>;
  },
  /** A string; `{ pattern, patternHint, numbers, default, optional }`. */
  string<O extends StrOpts>(opts?: O): StringSchema<Opt<string, O>> {
    return { kind: "string", ...opts } as StringSchema<Opt<string, O>>;
  },
  /** One of `values`. */
  enum<const V extends string | number, O extends EnumOpts<V>>(
    values: readonly V[],
    opts?: O,
  ): EnumSchema<V, Opt<V, O>> {
    return { kind: "enum", values, ...opts } as EnumSchema<V, Opt<V, O>>;
  },
  /** A boolean. */
  bool<O extends BoolOpts>(opts?: O): BoolSchema<Opt<boolean, O>> {
    return { kind: "bool", ...opts } as BoolSchema<Opt<boolean, O>>;
  },
  /** A list of `items`; `{ minItems, maxItems, default, optional }`. */
  array<I extends AnySchema, O extends ArrOpts<Infer<I>>>(
    items: I,
    opts?: O,
  ): ArraySchema<I, Opt<Infer<I>[], O>> {
    return { kind: "array", items, ...opts } as ArraySchema<I, Opt<Infer<I>[], O>>;
  },
  /**
   * A mapping with exactly these keys. An absent object section counts as `{}`, so its
   * fields' defaults fill it in; `check` adds cross-field rules.
   */
  object<F extends Record<string, AnySchema>>(
    fields: F,
    opts?: { description?: string; check?: (value: InferFields<F>) => CheckIssue[] },
  ): ObjectSchema<F, InferFields<F>> {
    return { kind: "object", fields, ...opts } as ObjectSchema<F, InferFields<F>>;
  },
};

interface NumOpts extends Common<number> {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  optional?: boolean;
}
interface StrOpts extends Common<string> {
  numbers?: boolean;
  pattern?: RegExp;
  patternHint?: string;
  optional?: boolean;
}
interface EnumOpts<V> extends Common<V> {
  optional?: boolean;
}
interface BoolOpts extends Common<boolean> {
  optional?: boolean;
}
interface ArrOpts<T> extends Common<T[]> {
  minItems?: number;
  maxItems?: number;
  optional?: boolean;
}

/**
 * Words for what a schema accepts, e.g. `an integer in [1, 64]` or `one of: a, b`.
 *
 * @example
 * ```ts
 * describeAllowed(s.int({ min: 1, max: 64 })); // "an integer in [1, 64]"
 * ```
 */
export function describeAllowed(schema: AnySchema): string {
  switch (schema.kind) {
    case "number": {
      const what = schema.integer ? "an integer" : "a number";
      const range = describeRange(schema);
      return range ? `${what} ${range}` : what;
    }
    case "string":
      return schema.patternHint ? `a string (${schema.patternHint})` : "a string";
    case "enum":
      return `one of: ${schema.values.join(", ")}`;
    case "bool":
      return "true or false";
    case "array": {
      const n = schema.minItems === schema.maxItems && schema.minItems !== undefined
        ? `${schema.minItems} `
        : "";
      return `a list of ${n}items, each ${describeAllowed(schema.items)}`;
    }
    case "object":
      return `a mapping with keys: ${Object.keys(schema.fields).join(", ")}`;
  }
}

/** The range of a number schema in interval notation, e.g. `in (0, 1]`, `>= 1`, or "". */
export function describeRange(schema: NumberSchema<unknown>): string {
  const { min, max } = schema;
  if (min !== undefined && max !== undefined) {
    return `in ${schema.minExclusive ? "(" : "["}${min}, ${max}${schema.maxExclusive ? ")" : "]"}`;
  }
  if (min !== undefined) return `${schema.minExclusive ? ">" : ">="} ${min}`;
  if (max !== undefined) return `${schema.maxExclusive ? "<" : "<="} ${max}`;
  return "";
}

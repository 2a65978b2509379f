import { ConfigError } from '../config/index.js';

/** A command's own flags: which take a value, which may repeat; the rest are serve flags. */
export interface FlagTable {
  readonly valued: ReadonlySet<string>;
  readonly repeatable?: ReadonlySet<string>;
  readonly boolean?: ReadonlySet<string>;
}

export interface ReadArgs {
  readonly flags: ReadonlyMap<string, readonly string[]>;
  readonly target: string | undefined;
  /** Serve flags (--region, --upstream, --profile…), for loadConfig. */
  readonly rest: readonly string[];
}

export function usage(message: string): never {
  throw new ConfigError(message);
}

/** `--flag value` and `--flag=value`; one `s3://…` target; anything else goes to the serve flags. */
export function readArgs(argv: readonly string[], table: FlagTable): ReadArgs {
  const flags = new Map<string, string[]>();
  let target: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    if (table.boolean?.has(name)) {
      flags.set(name, ['true']);
    } else if (table.valued.has(name)) {
      const value = eq !== -1 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) usage(`${name}: needs a value`);
      const prior = flags.get(name);
      if (prior !== undefined && !table.repeatable?.has(name)) usage(`${name}: given more than once`);
      flags.set(name, [...(prior ?? []), value]);
    } else if (!arg.startsWith('-')) {
      if (target !== undefined) usage(`more than one s3:// URL given (${JSON.stringify(target)} and ${JSON.stringify(arg)})`);
      target = arg;
    } else {
      rest.push(arg);
      // A serve flag's value travels with it (`--region eu-west-1`); `--flag=value` is one word.
      const next = argv[i + 1];
      if (eq === -1 && next !== undefined && !next.startsWith('-') && !next.startsWith('s3://')) rest.push(argv[++i]!);
    }
  }
  return { flags, target, rest };
}

/** The last value of a flag, or undefined. */
export function flag(args: ReadArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === undefined ? undefined : v[v.length - 1];
}

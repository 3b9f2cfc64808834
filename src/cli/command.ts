/**
 * The shape of a `neptune` subcommand. Each lives in src/cli/commands/NAME.ts
 * and is listed in src/cli/commands/index.ts.
 *
 * Exit codes follow the container-runner convention (DESIGN.md): a command
 * returns the guest's or its own status; engine failures are 125, an image
 * that cannot be executed 126, a file not found 127. A command reports a
 * failure by throwing CliError with one readable line.
 */
export interface CliCommand {
  readonly name: string;
  /** One line for `neptune help`. */
  readonly summary: string;
  /** Usage text shown by `neptune help NAME` and on a usage error. */
  readonly usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

export interface CliContext {
  /** --debug was given: show stack traces on failure. */
  readonly debug: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export const EXIT_ENGINE_FAILED = 125;
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_ENGINE_FAILED) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Splits `--name value`, `--name=value` and `--flag` options from positionals. */
export function parseOptions(
  args: string[],
  spec: { readonly flags?: readonly string[]; readonly values?: readonly string[] },
): { opts: Map<string, string | true>; lists: Map<string, string[]>; rest: string[] } {
  const opts = new Map<string, string | true>();
  /** Every value of a repeatable option, in order (opts keeps the last). */
  const lists = new Map<string, string[]>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { rest.push(...args.slice(i + 1)); break; }
    if (!a.startsWith('--') || rest.length > 0) { rest.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (spec.flags?.includes(name)) {
      if (eq >= 0) throw new CliError(`option --${name} takes no value`, EXIT_USAGE);
      opts.set(name, true);
    } else if (spec.values?.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new CliError(`option --${name} needs a value`, EXIT_USAGE);
      opts.set(name, v);
      lists.set(name, [...(lists.get(name) ?? []), v]);
    } else {
      throw new CliError(`unknown option --${name}`, EXIT_USAGE);
    }
  }
  return { opts, lists, rest };
}

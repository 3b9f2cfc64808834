/**
 * `neptune`: the command line. Dispatches to the subcommands in
 * src/cli/commands and turns every failure into one readable line and a
 * container-runner exit code (a stack trace only with --debug).
 */
import { commands } from './commands/index.js';
import { CliError, EXIT_ENGINE_FAILED, EXIT_USAGE, type CliContext } from './command.js';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: neptune [--debug] COMMAND [ARGS]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'neptune help COMMAND shows the usage of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let debug = false;
  const args = [...argv];
  while (args[0]?.startsWith('--')) {
    const a = args.shift()!;
    if (a === '--debug') debug = true;
    else if (a === '--help') { args.unshift('help'); break; }
    else { process.stderr.write(`neptune: unknown option ${a}\n${helpText()}\n`); return EXIT_USAGE; }
  }
  const ctx: CliContext = { debug, stdout: process.stdout, stderr: process.stderr };
  const name = args.shift();
  if (name === undefined || name === 'help') {
    const which = args[0] && commands.find((c) => c.name === args[0]);
    process.stdout.write((which ? which.usage : helpText()) + '\n');
    return name === undefined ? EXIT_USAGE : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`neptune: unknown command "${name}"\n${helpText()}\n`);
    return EXIT_USAGE;
  }
  try {
    return await cmd.run(args, ctx);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`neptune ${cmd.name}: ${e.message}\n`);
      if (debug && e.stack) process.stderr.write(e.stack + '\n');
      if (e.exitCode === EXIT_USAGE) process.stderr.write(cmd.usage + '\n');
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`neptune ${cmd.name}: internal error: ${msg}${debug ? '' : ' (--debug shows the stack)'}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return EXIT_ENGINE_FAILED;
  }
}

/**
 * `neptune run PROGRAM.exe [ARGS]`: runs one native NT program and exits
 * with its exit status. The program runs as an NT process on the kernel,
 * its system calls served by the NT executive (src/executive) over seL4
 * IPC. `--cores N` (N > 1) runs NT programs on the SMP machine with the
 * executive on the host's core (src/executive/smp-boot.ts), and the seL4
 * guest programs there too (src/kernel/guest/smp-run.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NtStatusError, NTSTATUS, ntStatusMessage } from '../../abi/ntstatus.js';
import { guestBinDir } from '../../machine/paths.js';
import { DEFAULT_RAM_BYTES, parseSize } from '../../machine/ram.js';
import { runNtProgram } from '../../executive/boot.js';
import { runNtProgramSmp } from '../../executive/smp-boot.js';
import { DEFAULT_ENGINE, engineFromEnv } from '../../jit/index.js';
import { runSel4Smp, sel4SmpProgram } from '../../kernel/guest/smp-run.js';
import { formatStages } from '../../kernel/smp/stages.js';
import type { CoreReport } from '../../kernel/smp/control.js';

/** SmpMachine's limit (the kernel's MAX_CORES less the host's core). */
const MAX_CPU_CORES = 63;
import { CliError, EXIT_CANNOT_EXECUTE, EXIT_ENGINE_FAILED, EXIT_NOT_FOUND, EXIT_USAGE, parseOptions, type CliCommand } from '../command.js';

const usage = `usage: neptune run [OPTIONS] PROGRAM.exe [ARGS...]

Runs a native NT program (i686 PE32, subsystem native) and exits with its
exit status (the low 8 bits; an unhandled exception is reported on stderr).

options:
  --memory SIZE            guest RAM (default 256M)
  --dll-path DIR           also search DIR for DLLs (repeatable; the program's
                           directory and the SDK's guest/bin are always searched)
  --env NAME=VALUE         add to the program's environment (repeatable)
  --trace-syscalls         print each system call and its status on stderr
  --max-instructions N     stop the program after N instructions (of all cores
                           together; STATUS_TIMEOUT, exit status 2)
  --jit, --no-jit          run hot code translated to JavaScript (the default)
                           or only interpreted (NEPTUNE_CPU_ENGINE=interp|jit|
                           jit-eager sets the default; docs/jit.md)
  --cores N                CPU cores, each a worker over the same guest RAM and
                           kernel (default 1; N may exceed the host's cores).
                           NT programs: threads are placed on the cores round
                           robin (or by their affinity masks), the executive
                           serves them from the host thread. Also runs the
                           seL4 guest programs sel4-pingpong.exe [ROUNDS] (N
                           client/server pairs, every IPC across cores) and
                           sel4-notify.exe [ROUNDS]
  --trace-stages           with --cores N > 1: time stamps at fixed points of
                           each core's loop (lock, schedule, engine, fastpaths,
                           idle spin); prints, per core, the median and 90th
                           percentile between consecutive stamps on stderr
                           (each stamp costs ~50 ns; docs/kernel.md)
  --no-fastpath            every IPC takes the kernel's slow path

exit status: the program's; 125 the engine failed, 126 the image cannot be
executed (not a valid PE, missing DLL or import), 127 the program was not found.`;

/** Statuses that mean "this image cannot be executed" (exit 126). */
const IMAGE_STATUSES = new Set<number>([
  NTSTATUS.STATUS_INVALID_IMAGE_FORMAT, NTSTATUS.STATUS_INVALID_IMAGE_NOT_MZ, NTSTATUS.STATUS_INVALID_IMAGE_WIN_16,
  NTSTATUS.STATUS_IMAGE_MACHINE_TYPE_MISMATCH, NTSTATUS.STATUS_DLL_NOT_FOUND, NTSTATUS.STATUS_ENTRYPOINT_NOT_FOUND,
  NTSTATUS.STATUS_ORDINAL_NOT_FOUND, NTSTATUS.STATUS_CONFLICTING_ADDRESSES, NTSTATUS.STATUS_NOT_IMPLEMENTED,
]);

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a native NT program (PE32) and exit with its status',
  usage,
  async run(argv, ctx) {
    // Options end at the program name: what follows belongs to the program.
    const { opts, lists, rest } = parseOptions(argv, {
      flags: ['trace-syscalls', 'jit', 'no-jit', 'no-fastpath', 'trace-stages'],
      values: ['memory', 'dll-path', 'env', 'max-instructions', 'cores'],
    });
    const dllDirs = (lists.get('dll-path') ?? []).map((d) => resolve(d));
    const env = lists.get('env') ?? [];
    const program = rest[0];
    if (program === undefined) throw new CliError('no program given', EXIT_USAGE);
    const image = resolve(program);
    if (!existsSync(image)) throw new CliError(`${program}: no such file`, EXIT_NOT_FOUND);
    if (!statSync(image).isFile()) throw new CliError(`${program}: not a file`, EXIT_CANNOT_EXECUTE);
    let memory = DEFAULT_RAM_BYTES;
    if (opts.has('memory')) {
      try { memory = parseSize(String(opts.get('memory'))); } catch (e) { throw new CliError(`--memory: ${(e as Error).message}`, EXIT_USAGE); }
    }
    const maxText = opts.get('max-instructions');
    const maxInstructions = maxText === undefined ? 0 : Number(maxText);
    if (!Number.isSafeInteger(maxInstructions) || maxInstructions < 0) throw new CliError('--max-instructions needs a non-negative integer', EXIT_USAGE);
    if (opts.has('jit') && opts.has('no-jit')) throw new CliError('--jit and --no-jit together', EXIT_USAGE);
    const coresText = opts.get('cores');
    const cores = coresText === undefined ? 1 : Number(coresText);
    if (!Number.isInteger(cores) || cores < 1 || cores > MAX_CPU_CORES) throw new CliError(`--cores needs an integer 1..${MAX_CPU_CORES}`, EXIT_USAGE);
    const engine = opts.has('no-jit') ? 'interp' : opts.has('jit') ? 'jit' : engineFromEnv(DEFAULT_ENGINE);
    const fastpath = !opts.has('no-fastpath');
    const traceStages = opts.has('trace-stages');
    if (traceStages && cores < 2) throw new CliError('--trace-stages needs --cores N with N > 1 (the stages are the SMP core workers\' own)', EXIT_USAGE);
    const printStages = (reports: readonly CoreReport[]): void => {
      for (const c of reports) for (const line of formatStages(c.core, c.stages ?? [])) ctx.stderr.write(`${line}\n`);
    };
    const sel4 = sel4SmpProgram(image);
    if (sel4 !== null) {
      for (const o of ['trace-syscalls', 'max-instructions', 'dll-path', 'env']) {
        if (opts.has(o)) throw new CliError(`--${o} does not apply to the seL4 program ${program}`, EXIT_USAGE);
      }
      const roundsText = rest[1] ?? '10000';
      const rounds = Number(roundsText);
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 0x7fffffff) throw new CliError(`${program}: ROUNDS must be a positive integer, not ${roundsText}`, EXIT_USAGE);
      const r = await runSel4Smp(sel4, image, {
        cores, rounds, fastpath, engine, memory, traceStages, out: (line) => ctx.stdout.write(`${line}\n`),
      });
      if (traceStages) printStages(r.cores);
      if (ctx.debug) {
        for (const c of r.cores) {
          ctx.stderr.write(`neptune run: core ${c.core}: ${c.syscalls} system calls (${c.fastpaths} fastpath, ${c.handoffsSent} handed off across cores), ` +
            `${c.sleeps} sleeps, ${c.spinWakes} spin wake-ups\n`);
        }
      }
      return r.ok ? 0 : 1;
    }
    for (const e of env) if (!e.includes('=')) throw new CliError(`--env ${e}: expected NAME=VALUE`, EXIT_USAGE);

    const out = ctx.stdout;
    const trace = opts.has('trace-syscalls') ? (line: string) => ctx.stderr.write(`[syscall] ${line}\n`) : undefined;
    let result;
    const nt = {
      image,
      args: rest.slice(1),
      dllPath: [dirname(image), ...dllDirs, guestBinDir()],
      env,
      memory,
      maxInstructions,
      console: (text: string) => out.write(text),
      trace,
      engine,
      fastpath,
    };
    try {
      if (cores > 1) {
        const r = await runNtProgramSmp({ ...nt, cores, traceStages });
        if (traceStages) printStages(r.cores);
        if (ctx.debug) {
          for (const c of r.cores) {
            ctx.stderr.write(`neptune run: core ${c.core}: ${c.syscalls} system calls (${c.fastpaths} fastpath), ${c.faults} faults, ` +
              `${c.retired} instructions, ${c.sleeps} sleeps\n`);
          }
          ctx.stderr.write(`neptune run: executive: ${r.served} messages served on the host core, ${r.offCpuWaits} waits for a core to let go of a thread\n`);
        }
        result = r;
      } else result = runNtProgram(nt);
    } catch (e) {
      if (e instanceof NtStatusError) {
        throw new CliError(`${program}: ${e.message}`, IMAGE_STATUSES.has(e.status) ? EXIT_CANNOT_EXECUTE : EXIT_ENGINE_FAILED);
      }
      throw e;
    }
    if (result.shutdown !== undefined) ctx.stderr.write(`neptune run: the system was shut down (NtShutdownSystem ${result.shutdown}); every process ended\n`);
    if (result.exception !== undefined) ctx.stderr.write(`neptune run: ${program}: ${result.exception}\n`);
    else if (ctx.debug) ctx.stderr.write(`neptune run: exit status ${ntStatusMessage(result.exitStatus)}, ${result.instructions} instructions\n`);
    return result.exitStatus & 0xff;
  },
};

/** Every `neptune` subcommand, in the order `neptune help` lists them. */
import type { CliCommand } from '../command.js';

export const commands: CliCommand[] = [];

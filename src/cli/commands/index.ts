/** Every `neptune` subcommand, in the order `neptune help` lists them. */
import type { CliCommand } from '../command.js';
import { runCommand } from './run.js';
import { mkimage } from './mkimage.js';

export const commands: CliCommand[] = [runCommand, mkimage];

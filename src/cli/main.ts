/** Entry point of the `neptune` bundle (bin/neptune.js loads it). */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));

/** The `ktls-lab` executable (bin/ktls-lab.js imports this). */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));

import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { collect, parseDuration, positiveInt, shardArg } from './args.js';
import { benchCommand, killCommand } from './commands/bench.js';
import { captureCommand } from './commands/capture.js';
import { decodeCommand } from './commands/decode.js';
import { inspectCommand } from './commands/inspect.js';
import { kernelRunCommand, probeCommand } from './commands/kernel.js';
import { exploreCommand } from './commands/explore.js';
import { exportCommand } from './commands/export.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/merge.js';
import { replayCommand, shrinkCommand } from './commands/replay.js';
import { EXIT, exitNameOf, UsageError } from './errors.js';
import { exitCodeHelp } from './exitCodes.js';
import { MAX_SEED } from './explore.js';
import { exitAfterOutput, guardOutput, writeErr, writeOut } from './output.js';
import { defaultWorkers } from './runner.js';
import { untrusted } from './untrusted.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return '0.0.0';
  }
}

const EXIT_HELP = `
${exitCodeHelp()}
`;

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('ktls-lab')
    .description(
      'A workbench for Linux kernel TLS: explore the control-plane/data-plane hand-off with a deterministic simulator, replay and shrink failures, export traces.',
    )
    .version(version())
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: false })
    // Before the subcommands, which copy it: output through the EPIPE-safe helper, and
    // commander's own errors ("error: unknown option", "(Did you mean ...?)") on one line.
    .configureOutput({
      writeOut: (text) => {
        writeOut(text);
      },
      writeErr: (text) => {
        writeErr(text);
      },
      outputError: (text, write) => write(`${untrusted(text.trim().replace(/\s*\n\s*/g, ' '))}\n`),
    })
    .addHelpText('after', EXIT_HELP);

  program
    .command('list')
    .description('list scenarios, designs (and mutants), invariants and strategies')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => setExit(listCommand(o)));

  program
    .command('explore')
    .description(
      'run designs × scenarios under random, PCT or exhaustive schedules and print the verdict table',
    )
    .option(
      '--scenario <name>',
      'scenario to run; repeat or comma-separate (default: all)',
      collect,
      [],
    )
    .option(
      '--design <name>',
      'design or mutant to run; repeat or comma-separate (default: all)',
      collect,
      [],
    )
    .addOption(
      new Option('--strategy <name>', 'schedule exploration strategy')
        .choices(['random', 'pct', 'dfs'])
        .default('random'),
    )
    .option('--seeds <n>', 'seeds 1..n for every cell (random, pct)', positiveInt(MAX_SEED))
    .option(
      '--generated <n>',
      'explore n generated scenarios gen-1..gen-n (seed s: scenario gen-s, schedule seed s) in one "generated" cell per design; catalog scenarios only with --scenario',
      positiveInt(MAX_SEED),
    )
    .option(
      '--budget <duration>',
      'time budget: 500ms, 30s, 2m (default 60s when --seeds is not given)',
      parseDuration,
    )
    .option(
      '--workers <n>',
      'worker threads; 1 runs inline (default: available cores)',
      positiveInt(256),
      defaultWorkers(),
    )
    .option('--shard <i/n>', 'run the i-th of n disjoint shares of the tasks (0 ≤ i < n)', shardArg)
    .option('--out <dir>', 'write results.json, index.json and traces/<design>--<scenario>.ndjson')
    .option('--json', 'print the results (and verdict) as JSON instead of the table')
    .option('--no-shrink', 'do not shrink failures')
    .option('--max-attempts <n>', 'replays per failure when shrinking', positiveInt(), 2000)
    .option('--shrink-budget <duration>', 'time for shrinking all failures', parseDuration, 30_000)
    .option('--inspect', 'when done, serve the results in the inspector (needs --out) until Ctrl-C')
    .option(
      '--keep-going',
      'keep running a cell after its first failure (every seed runs: counts are exact and add up across shards)',
    )
    .addHelpText(
      'after',
      `
Examples:
  ktls-lab explore --budget 20s --out /tmp/ktls-run
  ktls-lab explore --design linux-ktls --design mutant-completion-order-delivery --seeds 200
  ktls-lab explore --strategy dfs
  ktls-lab explore --generated 500 --design linux-ktls,mutant-rekey-without-sequence-reset
  ktls-lab explore --seeds 1000 --shard 0/4 --out shard0   # then: ktls-lab merge shard*/results.json`,
    )
    .action(async (o) => setExit(await exploreCommand(o)));

  program
    .command('replay')
    .description('replay a repro string exactly; exit 1 if it violates an invariant')
    .argument(
      '<repro>',
      'repro string (ktls1:scenario:design:strategy:seed.check:choices), or a file holding one',
    )
    .option('--trace <file>', 'write the run as an NDJSON trace')
    .option('--json', 'print JSON')
    .action((repro: string, o) => setExit(replayCommand(repro, o)));

  program
    .command('shrink')
    .description('shrink a failing repro to a locally minimal schedule that fails the same way')
    .argument('<repro>', 'repro string of a failing run, or a file holding one')
    .option('--trace <file>', 'write the shrunk run as an NDJSON trace')
    .option('--max-attempts <n>', 'replays to try at most', positiveInt(), 20_000)
    .option('--json', 'print JSON')
    .action((repro: string, o) => setExit(shrinkCommand(repro, o)));

  program
    .command('merge')
    .description(
      'join results files from shards (explore --shard i/n --out DIR) and print the verdict',
    )
    .argument('<files...>', 'results.json files')
    .option('--out <file>', 'write the merged results')
    .option('--json', 'print the merged results (and verdict) as JSON')
    .action((files: string[], o) => setExit(mergeCommand(files, o)));

  program
    .command('export')
    .description('convert a trace (NDJSON) for other tools')
    .argument('<trace>', 'trace file (.ndjson)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['perfetto']).default('perfetto'),
    )
    .option('--out <file>', 'output file (default: stdout)')
    .addHelpText('after', '\nperfetto: Chrome trace-event JSON; open it in https://ui.perfetto.dev')
    .action(async (file: string, o) => setExit(await exportCommand(file, o)));

  program
    .command('bench')
    .description(
      'measure the simulator (runs/s), or with "kill": schedules each strategy needs to catch each mutant',
    )
    .argument('[what]', '"kill" for the kill table')
    .option(
      '--seeds <n>',
      `kill: seeds per scenario to try (default 2000); plain: seeds to run`,
      positiveInt(MAX_SEED),
    )
    .option('--budget <duration>', 'plain bench: how long to measure (default 3s)', parseDuration)
    .option(
      '--workers <n>',
      'kill: worker threads (default: available cores)',
      positiveInt(256),
      defaultWorkers(),
    )
    .option('--json', 'print JSON')
    .action(async (what: string | undefined, o) => {
      if (what === undefined) return setExit(await benchCommand(o));
      if (what === 'kill') return setExit(await killCommand(o));
      throw new UsageError(
        `bench: unknown benchmark "${what}" (use "ktls-lab bench" or "ktls-lab bench kill")`,
      );
    });

  program
    .command('inspect')
    .description(
      'serve the inspector on 127.0.0.1 with a trace or an explore run folder, and print its URL',
    )
    .argument('[path]', 'a trace (.ndjson) or a folder written by `explore --out`')
    .option('--port <n>', 'port (default: a free one)', positiveInt(65535))
    .action(async (path: string | undefined, o) => setExit(await inspectCommand(path, o)));

  program
    .command('capture')
    .description(
      'relay one TCP connection on loopback and record both directions (c2s.bin, s2c.bin, index.json)',
    )
    .requiredOption(
      '--listen <host:port>',
      'where to listen (port 0: any free port, printed on stderr)',
    )
    .requiredOption('--connect <host:port>', 'the server to relay to')
    .requiredOption('--out <dir>', 'folder for the capture')
    .option(
      '--max-bytes <n>',
      'stop after this many bytes in both directions',
      positiveInt(Number.MAX_SAFE_INTEGER),
    )
    .addHelpText(
      'after',
      `
Example (then point the client at 127.0.0.1:9443 with -keylogfile keys.log):
  ktls-lab capture --listen 127.0.0.1:9443 --connect 127.0.0.1:8443 --out /tmp/cap
  ktls-lab decode --keylog keys.log --dir /tmp/cap --trace /tmp/cap/trace.ndjson`,
    )
    .action(async (o) => setExit(await captureCommand(o)));

  program
    .command('decode')
    .description(
      'open every record of a captured TLS 1.2/1.3 session with an NSS key log; show where linux-ktls would freeze, hand records to userspace, or fail',
    )
    .requiredOption(
      '--keylog <file>',
      'NSS key log (SSLKEYLOGFILE, openssl -keylogfile, Node keylog event)',
    )
    .option('--dir <dir>', 'a folder written by `ktls-lab capture`')
    .option('--c2s <file>', 'client→server byte stream')
    .option('--s2c <file>', 'server→client byte stream')
    .option('--tshark <file>', 'output of `tshark -r session.pcap -q -z follow,tcp,raw,0`')
    .option('--trace <file>', 'write the decoded session as an NDJSON trace')
    .option('--json', 'print the summary as JSON')
    .option('--strict', 'a direction that ended without close_notify is a failure (exit 1)')
    .addHelpText(
      'after',
      `
From a pcap taken with tcpdump (-w session.pcap), one TCP stream:
  tshark -r session.pcap -q -z follow,tcp,raw,0 > follow.txt
  ktls-lab decode --keylog keys.log --tshark follow.txt --trace session.ndjson
The last line says how the session ended: "complete" (every record decoded, close_notify both
ways: exit 0), "ended without close_notify" (every record decoded, but the capture may end early:
exit 0, or 1 with --strict), "data missing" (records not decoded: a missing secret, a capture cut
inside a record, a framing or authentication failure: exit 1). A malformed key log or capture
index exits 4.`,
    )
    .action((o) => setExit(decodeCommand(o)));

  program
    .command('probe')
    .description(
      'probe the running kernel: AF_ALG AEADs, the TLS ULP, ciphers and versions TLS_TX accepts, TLS 1.3 rekey',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit 0 when everything is there, 1 when something is missing (each line says why).',
    )
    .action((o) => setExit(probeCommand(o)));

  program
    .command('kernel')
    .description('run a scenario of the catalog on real kernel TLS sockets (loopback)')
    .command('run')
    .argument('<scenario>', 'a kernel-capable scenario (see `ktls-lab list`)')
    .option('--trace <file>', 'write the run as an NDJSON trace (world: kernel)')
    .option(
      '--userspace-peer',
      'the client is a userspace TLS stack that really switches keys (KeyUpdate)',
    )
    .action((scenario: string, o) => setExit(kernelRunCommand(scenario, o)));

  // The one table, under every command's help too.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program).slice(1)) c.addHelpText('after', EXIT_HELP);
  return program;
}

/**
 * What an error that escaped a command means: its exit code and the line for stderr (none for
 * commander's own errors, which it has printed already). Ours are one line, escaped (they may
 * quote input); anything else is a bug and keeps its stack.
 */
export function exitOf(e: unknown): { readonly code: number; readonly message?: string } {
  if (e instanceof CommanderError) return { code: e.exitCode === 0 ? EXIT.ok : EXIT.usage };
  const name = exitNameOf(e);
  if (name !== null)
    return { code: EXIT[name], message: `ktls-lab: error: ${untrusted((e as Error).message)}` };
  return {
    code: EXIT.internal,
    message: `ktls-lab: internal error: ${(e as Error)?.stack ?? String(e)}`,
  };
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  guardOutput();
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitAfterOutput(code);
  } catch (e) {
    const exit = exitOf(e);
    if (exit.message !== undefined) writeErr(`${exit.message}\n`);
    return exit.code;
  }
}

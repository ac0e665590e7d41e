// nofearctl: see and stop sandboxes, check the machine, show the settings, manage profiles.
// Each command's modules load when that command runs (import()), not at the start: --help, --version and
// `nofearctl ps` need none of the service's, doctor's or integrate's (a start took 0.5 s, 0.2 s this way).
import { invalidArgument } from '../errors.js';
import type { ProfilesVerb } from './ctl-profiles.js';
import { commandName, flag, list, parseCommandLine, type CommandSpec, type Values } from './grammar.js';
import { renderHelp } from './help.js';
import { NOFEARCTL_SPEC } from './spec-nofearctl.js';
import { answeredHelpOrVersion } from './version.js';

/** `nofearctl help profiles create`: the command those words name. */
export function findCommand(words: readonly string[], root: CommandSpec = NOFEARCTL_SPEC): CommandSpec {
  let command = root;
  for (const word of words) {
    const next = command.subcommands?.find((c) => c.path.at(-1) === word);
    if (next === undefined) throw invalidArgument(`no command ${JSON.stringify([...command.path.slice(1), word].join(' '))}.`, `${commandName(command)} --help lists the commands`);
    command = next;
  }
  return command;
}

async function ps(values: Values): Promise<number> {
  const [{ ensureRuntimeBase }, { formatPs, psRows }] = await Promise.all([import('../sandbox/registry.js'), import('./ctl-ps.js')]);
  const rows = await psRows(ensureRuntimeBase());
  process.stdout.write(flag(values, 'json') ? `${JSON.stringify(rows, null, 2)}\n` : formatPs(rows));
  return 0;
}

async function doctor(values: Values): Promise<number> {
  const [{ doctorExitStatus, formatChecks, runDoctor }, { formatOpens, whatOpensWhat }] = await Promise.all([import('./doctor.js'), import('./doctor-opens.js')]);
  const [checks, opens] = await Promise.all([runDoctor(), whatOpensWhat(process.env)]);
  const canRun = doctorExitStatus(checks) === 0;
  process.stdout.write(flag(values, 'json') ? `${JSON.stringify({ canRun, checks, opens }, null, 2)}\n` : `${formatChecks(checks)}\n${formatOpens(opens)}`);
  return doctorExitStatus(checks);
}

async function integrate(verb: string, values: Values): Promise<number> {
  const { integrateCommand } = await import('./ctl-integrate.js');
  switch (verb) {
    case 'install':
      return integrateCommand({
        verb,
        risky: flag(values, 'risky'),
        links: flag(values, 'links'),
        mail: flag(values, 'mail'),
        defaultFor: list(values, 'defaultFor'),
        byOrigin: flag(values, 'byOrigin'),
      });
    case 'status':
      return integrateCommand({ verb, json: flag(values, 'json') });
    case 'uninstall':
      return integrateCommand({ verb });
    default:
      throw new Error(`nofearctl's table names an integrate command it does not run: ${verb}`);
  }
}

/** The command itself, on its arguments (argv without node and the script): its exit status, or it throws. */
export async function nofearctlMain(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(NOFEARCTL_SPEC, argv);
  if (answeredHelpOrVersion(parsed)) return 0;
  const { command, values, operands } = parsed;
  const [verb = '', sub = ''] = command.path.slice(1);
  switch (verb) {
    case 'ps':
      return ps(values);
    case 'stop': {
      const [{ ensureRuntimeBase }, { runStop, stopTarget }] = await Promise.all([import('../sandbox/registry.js'), import('./ctl-stop.js')]);
      return runStop(ensureRuntimeBase(), stopTarget(flag(values, 'all'), operands[0]));
    }
    case 'doctor':
      return doctor(values);
    case 'config': {
      const { formatEffectiveConfig, loadConfig } = await import('../config/index.js');
      // loadConfig applies the environment's overrides already: applying them again doubles their problems.
      process.stdout.write(formatEffectiveConfig(loadConfig()));
      return 0;
    }
    case 'profiles': {
      const { runProfiles } = await import('./ctl-profiles.js');
      return runProfiles(sub as ProfilesVerb, operands[0]); // the table names exactly these four
    }
    case 'service': {
      const { runService } = await import('../service/daemon/service.js');
      return runService({ activated: flag(values, 'activated') });
    }
    case 'integrate':
      return integrate(sub, values);
    case 'trust':
    case 'distrust': {
      const { trustCommand } = await import('./ctl-trust.js');
      return trustCommand(verb, operands, verb === 'trust' && flag(values, 'notify'));
    }
    case 'help':
      process.stdout.write(renderHelp(findCommand(operands)));
      return 0;
    default:
      throw new Error(`nofearctl's table names a command it does not run: ${commandName(command)}`);
  }
}

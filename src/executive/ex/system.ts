/**
 * Ex services about the whole system: hard error messages
 * (NtRaiseHardError), shutting down (NtShutdownSystem) and the default
 * locales (NtSetDefaultLocale / NtQueryDefaultLocale). The state is kept
 * per executive here (the executive object itself knows nothing of it).
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import type { Executive } from '../executive.js';
import type { EThread } from '../ps/process.js';
import { sePrimaryToken } from '../se/services.js';
import { SE_SHUTDOWN_PRIVILEGE } from '../se/token.js';

/** en-US: the default user and system locale. */
const LCID_EN_US = 0x409;
/** MAXIMUM_HARDERROR_PARAMETERS. */
const MAX_HARD_ERROR_PARAMETERS = 5;
const OPTION_NAMES = ['OptionAbortRetryIgnore', 'OptionOk', 'OptionOkCancel', 'OptionRetryCancel', 'OptionYesNo', 'OptionYesNoCancel', 'OptionShutdownSystem', 'OptionOkNoWait', 'OptionCancelTryContinue'];
const OptionOk = 1, OptionShutdownSystem = 6, OptionOkNoWait = 7;
const ResponseNotHandled = 1, ResponseOk = 6;
const ACTIONS = ['ShutdownNoReboot', 'ShutdownReboot', 'ShutdownPowerOff'];

export interface ShutdownRecord { readonly action: string; readonly by: string }

interface SystemState { userLocale: number; systemLocale: number; shutdown: ShutdownRecord | undefined }
const states = new WeakMap<Executive, SystemState>();
function stateOf(ex: Executive): SystemState {
  let s = states.get(ex);
  if (s === undefined) { s = { userLocale: LCID_EN_US, systemLocale: LCID_EN_US, shutdown: undefined }; states.set(ex, s); }
  return s;
}

/** The NtShutdownSystem that stopped this system, if one did. */
export function exShutdownRecord(ex: Executive): ShutdownRecord | undefined {
  return states.get(ex)?.shutdown;
}

/** An LCID NT accepts: a language id, a sort id up to 0xF, no reserved bits. */
function validLcid(lcid: number): boolean {
  return (lcid >>> 20) === 0 && (lcid & 0x3ff) !== 0;
}

function privilegeHeld(t: EThread, luid: number): boolean {
  const token = t.impersonationToken ?? sePrimaryToken(t.process);
  return (token as ReturnType<typeof sePrimaryToken>).privilegeEnabled(luid);
}

function describeParameter(t: EThread, value: number, isString: boolean): string {
  if (!isString) return `0x${(value >>> 0).toString(16)}`;
  return JSON.stringify(t.process.space.readUnicodeString(value));
}

export const exSystemServices: Record<string, ServiceHandler> = {
  NtRaiseHardError(ex, t, a) {
    const [status, count, stringMask, pParams, option, pResponse] = a;
    if (count! > MAX_HARD_ERROR_PARAMETERS) return NTSTATUS.STATUS_INVALID_PARAMETER_2;
    if (option! >= OPTION_NAMES.length) return NTSTATUS.STATUS_INVALID_PARAMETER_5;
    if (count! > 0 && pParams === 0) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    const mem = t.process.space;
    mem.probe(pResponse!, 4, true);
    if (option === OptionShutdownSystem && !privilegeHeld(t, SE_SHUTDOWN_PRIVILEGE)) return NTSTATUS.STATUS_PRIVILEGE_NOT_HELD;
    const params: string[] = [];
    for (let i = 0; i < count!; i++) params.push(describeParameter(t, mem.readU32(pParams! + 4 * i), (stringMask! & (1 << i)) !== 0));
    ex.options.console(`hard error from ${t.process.imageName} (pid ${t.process.pid}): ${ex.statusText(status!)}` +
      `${params.length > 0 ? `; parameters ${params.join(', ')}` : ''} [${OPTION_NAMES[option!]}]\n`);
    // Nobody can be asked: the one-button options were answered by showing the message; the others were not.
    mem.writeU32(pResponse!, option === OptionOk || option === OptionOkNoWait ? ResponseOk : ResponseNotHandled);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtShutdownSystem(ex, t, a) {
    const action = a[0]!;
    if (action >= ACTIONS.length) return NTSTATUS.STATUS_INVALID_PARAMETER;
    if (!privilegeHeld(t, SE_SHUTDOWN_PRIVILEGE)) return NTSTATUS.STATUS_PRIVILEGE_NOT_HELD;
    const s = stateOf(ex);
    const by = `${t.process.imageName} (pid ${t.process.pid})`;
    s.shutdown = { action: ACTIONS[action]!, by };
    ex.options.console(`NtShutdownSystem(${ACTIONS[action]}) from ${by}: ending every process; the system is shut down${action === 1 ? ' (no reboot: the run ends)' : ''}\n`);
    // The caller's process last: its thread is the one being answered.
    for (const p of [...ex.processes.values()]) if (p !== t.process) ex.terminateProcess(p, NTSTATUS.STATUS_SUCCESS);
    ex.terminateProcess(t.process, NTSTATUS.STATUS_SUCCESS);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtSetDefaultLocale(ex, _t, a) {
    const s = stateOf(ex);
    const user = (a[0]! & 0xff) !== 0;
    const lcid = a[1]!;
    if (lcid === 0 && user) { s.userLocale = s.systemLocale; return NTSTATUS.STATUS_SUCCESS; }
    if (!validLcid(lcid)) return NTSTATUS.STATUS_INVALID_PARAMETER;
    if (user) s.userLocale = lcid; else s.systemLocale = lcid;
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtQueryDefaultLocale(ex, t, a) {
    const s = stateOf(ex);
    t.process.space.writeU32(a[1]!, (a[0]! & 0xff) !== 0 ? s.userLocale : s.systemLocale);
    return NTSTATUS.STATUS_SUCCESS;
  },
};

/** Se services: tokens (open, duplicate, query, adjust privileges) and access checks (se/token.ts, se/access-check.ts). */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import type { EThread, EProcess } from '../ps/process.js';
import { mapGenericAccess } from '../ob/object.js';
import { OBJ_INHERIT, obReferenceObjectByHandle, readObjectAttributes, obInsertObject } from '../ob/reference.js';
import { ProcessType, ThreadType } from '../ps/process.js';
import {
  SE_PRIVILEGE_ENABLED, SE_PRIVILEGE_REMOVED, SE_PRIVILEGE_USED_FOR_ACCESS, SecurityIdentification, TOKEN_ADJUST_PRIVILEGES,
  TOKEN_DUPLICATE, TOKEN_QUERY, Token, TokenImpersonation, TokenPrimary, TokenType, privilegesBytes, tokenInformation, type Privilege,
} from './token.js';
import { seAccessCheck, seMapGeneric, seReadSecurityDescriptor } from './access-check.js';

const PROCESS_QUERY_INFORMATION = 0x400;
const THREAD_QUERY_INFORMATION = 0x40;
/** More privileges than any token holds: a count past it is a bad structure. */
const MAX_PRIVILEGE_COUNT = 64;
/** sizeof(PRIVILEGE_SET) with its one LUID_AND_ATTRIBUTES (ANYSIZE_ARRAY). */
const PRIVILEGE_SET_SIZE = 20;

/** The process's primary token, made on first use. */
export function sePrimaryToken(p: EProcess): Token {
  p.token ??= new Token();
  return p.token as Token;
}

function openProcessToken(t: EThread, hProcess: number, access: number, attributes: number, pHandle: number): number {
  const p = obReferenceObjectByHandle<EProcess>(t, hProcess, PROCESS_QUERY_INFORMATION, ProcessType).object;
  if ((attributes & ~OBJ_INHERIT) !== 0) return NTSTATUS.STATUS_INVALID_PARAMETER;
  t.process.space.writeU32(pHandle, t.process.handles.insert(sePrimaryToken(p), mapGenericAccess(access, TokenType), attributes & OBJ_INHERIT));
  return NTSTATUS.STATUS_SUCCESS;
}

function openThreadToken(t: EThread, hThread: number, access: number, attributes: number, pHandle: number): number {
  const th = obReferenceObjectByHandle<EThread>(t, hThread, THREAD_QUERY_INFORMATION, ThreadType).object;
  if ((attributes & ~OBJ_INHERIT) !== 0) return NTSTATUS.STATUS_INVALID_PARAMETER;
  if (th.impersonationToken === undefined) return NTSTATUS.STATUS_NO_TOKEN;
  t.process.space.writeU32(pHandle, t.process.handles.insert(th.impersonationToken, mapGenericAccess(access, TokenType), attributes & OBJ_INHERIT));
  return NTSTATUS.STATUS_SUCCESS;
}

/** Reads a TOKEN_PRIVILEGES / PRIVILEGE_SET's LUID_AND_ATTRIBUTES array of `count` entries at `at`. */
function readPrivileges(t: EThread, at: number, count: number): Privilege[] {
  const b = t.process.space.readBytes(at, count * 12);
  const dv = new DataView(b.buffer);
  return Array.from({ length: count }, (_, i) => ({ luid: dv.getUint32(i * 12, true) + 0x100000000 * dv.getUint32(i * 12 + 4, true), attributes: dv.getUint32(i * 12 + 8, true) }));
}

export const seServices: Record<string, ServiceHandler> = {
  NtOpenProcessToken(_ex, t, a) { return openProcessToken(t, a[0]!, a[1]!, 0, a[2]!); },
  NtOpenProcessTokenEx(_ex, t, a) { return openProcessToken(t, a[0]!, a[1]!, a[2]!, a[3]!); },
  NtOpenThreadToken(_ex, t, a) { return openThreadToken(t, a[0]!, a[1]!, 0, a[3]!); },
  NtOpenThreadTokenEx(_ex, t, a) { return openThreadToken(t, a[0]!, a[1]!, a[3]!, a[4]!); },
  NtQueryInformationToken(_ex, t, a) {
    const [h, cls, buf, len, pRet] = a;
    const token = obReferenceObjectByHandle<Token>(t, h!, TOKEN_QUERY, TokenType).object;
    const info = tokenInformation(token, cls!, buf!);
    if (info === undefined) return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    const mem = t.process.space;
    mem.writeU32(pRet!, info.length);
    if (len! < info.length) return NTSTATUS.STATUS_BUFFER_TOO_SMALL;
    mem.writeBytes(buf!, info);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtAdjustPrivilegesToken(_ex, t, a) {
    const [h, disableAll, pNew, bufLen, pPrev, pRet] = a;
    const token = obReferenceObjectByHandle<Token>(t, h!, TOKEN_ADJUST_PRIVILEGES | (pPrev !== 0 ? TOKEN_QUERY : 0), TokenType).object;
    const mem = t.process.space;
    const all = (disableAll! & 0xff) !== 0;
    // What to do to each held privilege: [privilege, new attributes or -1 to remove].
    const changes: [Privilege, number][] = [];
    let notAll = false;
    if (all) {
      for (const p of token.privileges) if (p.attributes & SE_PRIVILEGE_ENABLED) changes.push([p, p.attributes & ~SE_PRIVILEGE_ENABLED]);
    } else {
      if (pNew === 0) return NTSTATUS.STATUS_INVALID_PARAMETER;
      const count = mem.readU32(pNew!);
      if (count > MAX_PRIVILEGE_COUNT) return NTSTATUS.STATUS_INVALID_PARAMETER;
      for (const want of readPrivileges(t, pNew! + 4, count)) {
        const p = token.privileges.find((x) => x.luid === want.luid);
        if (p === undefined) { notAll = true; continue; }
        if (want.attributes & SE_PRIVILEGE_REMOVED) changes.push([p, -1]);
        else {
          const next = (p.attributes & ~SE_PRIVILEGE_ENABLED) | (want.attributes & SE_PRIVILEGE_ENABLED);
          if (next !== p.attributes) changes.push([p, next]);
        }
      }
    }
    if (pPrev !== 0) {
      const prev = privilegesBytes(changes.map(([p]) => ({ luid: p.luid, attributes: p.attributes })));
      if (pRet !== 0) mem.writeU32(pRet!, prev.length);
      if (bufLen! < prev.length) return NTSTATUS.STATUS_BUFFER_TOO_SMALL; // nothing changed
      mem.writeBytes(pPrev!, prev);
    }
    for (const [p, next] of changes) {
      if (next === -1) token.privileges = token.privileges.filter((x) => x !== p);
      else p.attributes = next >>> 0;
    }
    return notAll ? NTSTATUS.STATUS_NOT_ALL_ASSIGNED : NTSTATUS.STATUS_SUCCESS;
  },
  NtDuplicateToken(ex, t, a) {
    const [h, access, pOa, effectiveOnly, type, pHandle] = a;
    const { object: token, granted } = obReferenceObjectByHandle<Token>(t, h!, TOKEN_DUPLICATE, TokenType);
    if (type !== TokenPrimary && type !== TokenImpersonation) return NTSTATUS.STATUS_INVALID_PARAMETER;
    const oa = readObjectAttributes(t, pOa!);
    let level = 0; // no SECURITY_QUALITY_OF_SERVICE: SecurityAnonymous
    if (pOa !== 0) {
      const pQos = t.process.space.readU32(pOa! + 20);
      if (pQos !== 0) {
        level = t.process.space.readU32(pQos + 4);
        if (level > 3) return NTSTATUS.STATUS_INVALID_PARAMETER;
      }
    }
    // An impersonation token cannot be duplicated to a higher level than its own.
    if (token.tokenType === TokenImpersonation && level > token.impersonationLevel) return NTSTATUS.STATUS_BAD_IMPERSONATION_LEVEL;
    const copy = token.duplicate(type!, level, (effectiveOnly! & 0xff) !== 0);
    // DesiredAccess 0: the same access as the existing token's handle (as NT).
    const r = obInsertObject(ex, t, copy, oa, access === 0 ? granted : access!);
    t.process.space.writeU32(pHandle!, r.handle);
    return r.status;
  },
  NtAccessCheck(_ex, t, a) {
    const [pSd, h, desiredIn, pMapping, pPrivSet, pPrivLen, pGranted, pStatus] = a;
    const token = obReferenceObjectByHandle<Token>(t, h!, TOKEN_QUERY, TokenType).object;
    if (token.tokenType !== TokenImpersonation) return NTSTATUS.STATUS_NO_IMPERSONATION_TOKEN;
    if (token.impersonationLevel < SecurityIdentification) return NTSTATUS.STATUS_BAD_IMPERSONATION_LEVEL;
    const mem = t.process.space;
    const m = mem.readBytes(pMapping!, 16);
    const mv = new DataView(m.buffer);
    const mapping = { read: mv.getUint32(0, true), write: mv.getUint32(4, true), execute: mv.getUint32(8, true), all: mv.getUint32(12, true) };
    const privLen = mem.readU32(pPrivLen!);
    if (privLen < PRIVILEGE_SET_SIZE) { mem.writeU32(pPrivLen!, PRIVILEGE_SET_SIZE); return NTSTATUS.STATUS_BUFFER_TOO_SMALL; }
    const sd = seReadSecurityDescriptor(mem, pSd!);
    const desired = seMapGeneric(desiredIn!, mapping);
    const r = seAccessCheck(sd, token, desired, mapping);
    // No privilege grants access here (SeSecurityPrivilege for ACCESS_SYSTEM_SECURITY is checked, not reported).
    mem.probe(pPrivSet!, 8, true);
    mem.writeU32(pPrivSet!, 0);
    mem.writeU32(pPrivSet! + 4, 0);
    mem.writeU32(pGranted!, r.granted);
    mem.writeU32(pStatus!, r.denied ? NTSTATUS.STATUS_ACCESS_DENIED : NTSTATUS.STATUS_SUCCESS);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtPrivilegeCheck(_ex, t, a) {
    const [h, pSet, pResult] = a;
    const token = obReferenceObjectByHandle<Token>(t, h!, TOKEN_QUERY, TokenType).object;
    if (token.tokenType === TokenImpersonation && token.impersonationLevel < SecurityIdentification) return NTSTATUS.STATUS_BAD_IMPERSONATION_LEVEL;
    const mem = t.process.space;
    const count = mem.readU32(pSet!);
    const control = mem.readU32(pSet! + 4);
    if (count > MAX_PRIVILEGE_COUNT) return NTSTATUS.STATUS_INVALID_PARAMETER;
    const wanted = readPrivileges(t, pSet! + 8, count);
    let held = 0;
    const out = new Uint8Array(count * 12);
    const dv = new DataView(out.buffer);
    wanted.forEach((w, i) => {
      const on = token.privilegeEnabled(w.luid);
      if (on) held++;
      dv.setUint32(i * 12, w.luid >>> 0, true);
      dv.setUint32(i * 12 + 4, Math.floor(w.luid / 0x100000000), true);
      dv.setUint32(i * 12 + 8, on ? (w.attributes | SE_PRIVILEGE_USED_FOR_ACCESS) >>> 0 : (w.attributes & ~SE_PRIVILEGE_USED_FOR_ACCESS) >>> 0, true);
    });
    const all = (control & 1) !== 0; // PRIVILEGE_SET_ALL_NECESSARY
    mem.writeBytes(pSet! + 8, out);
    mem.writeBytes(pResult!, new Uint8Array([(all ? held === count : held > 0) ? 1 : 0]));
    return NTSTATUS.STATUS_SUCCESS;
  },
};

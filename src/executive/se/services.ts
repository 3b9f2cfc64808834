/** Se services: process tokens and their queries (se/token.ts says what a token holds here). */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { mapGenericAccess } from '../ob/object.js';
import { obReferenceObjectByHandle } from '../ob/reference.js';
import { ProcessType, ThreadType, type EProcess } from '../ps/process.js';
import { Token, TokenType, TOKEN_QUERY, tokenInformation } from './token.js';

const PROCESS_QUERY_INFORMATION = 0x400;
const THREAD_QUERY_INFORMATION = 0x40;

export const seServices: Record<string, ServiceHandler> = {
  NtOpenProcessToken(_ex, t, a) {
    const p = obReferenceObjectByHandle<EProcess>(t, a[0]!, PROCESS_QUERY_INFORMATION, ProcessType).object;
    p.token ??= new Token();
    t.process.space.writeU32(a[2]!, t.process.handles.insert(p.token, mapGenericAccess(a[1]!, TokenType)));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtOpenThreadToken(_ex, t, a) {
    obReferenceObjectByHandle(t, a[0]!, THREAD_QUERY_INFORMATION, ThreadType);
    return NTSTATUS.STATUS_NO_TOKEN;
  },
  NtQueryInformationToken(_ex, t, a) {
    const [h, cls, buf, len, pRet] = a;
    obReferenceObjectByHandle(t, h!, TOKEN_QUERY, TokenType);
    const info = tokenInformation(cls!, buf!);
    if (info === undefined) return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    const mem = t.process.space;
    mem.writeU32(pRet!, info.length);
    if (len! < info.length) return NTSTATUS.STATUS_BUFFER_TOO_SMALL;
    mem.writeBytes(buf!, info);
    return NTSTATUS.STATUS_SUCCESS;
  },
};

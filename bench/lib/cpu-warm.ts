/**
 * A guest program that reaches every hot kind of the interpreter
 * (src/cpu/hot.ts: plain, flags-dead, only-CF-live and fused forms), both
 * arms of every branch body, the unaligned (slow) memory paths, a block
 * that loops to itself and a store into its own code page. Used by
 * `scripts/cpu-ab.mjs --warm` to measure the run loop in the state of a
 * long-running guest: V8 optimises the loop with type feedback for every
 * case, instead of compiling the cases the bench loops never reach into
 * deoptimisation exits (see docs/cpu.md, Performance).
 *
 * Layout: code at WARM_CODE, ESI = WARM_DATA, ESP = WARM_STACK, paging off;
 * ends with int 0x80 after about 1800 instructions.
 */
export const WARM_CODE = 0x1000;
export const WARM_DATA = 0x8000;
export const WARM_STACK = 0x20000;
const CODE = WARM_CODE;
const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

// eax = 0, ecx = 1, edx = 2, ebx = 3, esp = 4, ebp = 5, esi = 6, edi = 7
/** mov [esi+0x20],eax: a barrier (a store), so what is before it keeps its flags. */
const STORE = [0x89, 0x46, 0x20];
/** xor edx,edx: kills every flag, so what is before it (if pure) becomes flags-dead. */
const KILL = [0x31, 0xd2];

export function warmUpProgram(): number[] {
  const c: number[] = [];
  const e = (...b: number[]): void => { c.push(...b); };
  // Loop over edi = 4..1: eax = edi - 2 makes compares come out greater, equal, below, and
  // negative; esi and esp move by one byte each pass, so aligned and unaligned (slow) accesses.
  e(0xbf, ...le(4)); // mov edi,4
  const top = c.length;
  e(0x89, 0xf8, 0x83, 0xe8, 0x02); // mov eax,edi; sub eax,2
  e(0xb9, ...le(1)); // mov ecx,1
  e(0x46, 0x4c); // inc esi; dec esp
  for (const op of [0, 1, 4, 5, 6, 7]) { // add or and sub xor cmp
    for (const tail of [STORE, [...KILL, ...STORE], [0x41, ...STORE]]) { // full, flags-dead, only-CF-live
      e(op * 8 + 1, 0xc8, ...tail); // op eax,ecx
      e(op * 8 + 3, 0xc1, ...tail); // op eax,ecx (Gv,Ev)
      e(0x81, 0xc0 | (op << 3), ...le(7), ...tail); // op eax,7
      e(op * 8 + 3, 0x46, 0x04, ...tail); // op eax,[esi+4]
    }
  }
  for (const tail of [STORE, [...KILL, ...STORE]]) {
    e(0x85, 0xc8, ...tail); // test eax,ecx
    e(0x41, ...tail, 0x49, ...tail); // inc ecx; dec ecx
    e(0x69, 0xd0, ...le(0x9e3779b1), ...tail); // imul edx,eax,imm
    for (const ext of [0, 4, 5, 7]) e(0xc1, 0xc2 | (ext << 3), 3, ...tail); // rol/shl/shr/sar edx,3
  }
  e(0x89, 0xc2, 0xba, ...le(5), 0x8b, 0x56, 0x08, 0xc7, 0x46, 0x0c, ...le(9), 0x8d, 0x56, 0x10); // mov edx,eax; mov edx,5; mov edx,[esi+8]; mov [esi+12],9; lea edx,[esi+16]
  e(0x50, 0x5a, 0x68, ...le(3), 0x5a); // push eax; pop edx; push 3; pop edx
  e(0x11, 0xc8); // adc eax,ecx: a table handler
  const callAt = c.length;
  e(0xe8, 0, 0, 0, 0); // call sub (patched below)
  e(0xe9, ...le(0)); // jmp +0
  // Flag setters for both outcomes of every condition, and for each way the hot bodies find a
  // pending flag (a 32-bit record, an 8-bit one, materialised flags).
  const setters = [
    [0x31, 0xd2], // xor edx,edx: ZF PF
    [0xba, ...le(0x7fffffff), 0x83, 0xc2, 0x01], // 0x7fffffff + 1: SF OF PF
    [0xba, ...le(-1), 0x83, 0xc2, 0x02], // -1 + 2: CF
    [0x31, 0xd2, 0x83, 0xea, 0x01], // 0 - 1: CF SF
    [0x69, 0xd0, ...le(3)], // imul edx,eax,3: flags materialised
    [0x80, 0xc2, 0x01], // add dl,1: an 8-bit record
  ];
  for (const set of setters) for (let cc = 0; cc < 16; cc++) e(...set, ...STORE, 0x0f, 0x80 + cc, ...le(0)); // jcc after a store: not fused
  // inc/dec (alone and fused) after each kind of pending CF: 32-bit sub, logic, add, 8-bit add.
  for (const set of [[0x29, 0xc8], [0x21, 0xc8], [0x03, 0x46, 0x04], [0x80, 0xc2, 0x01]]) {
    e(...set, 0x41, ...STORE, ...set, 0x49, ...STORE, ...set, 0x41, 0x74, 0x00, ...set, 0x49, 0x75, 0x00);
  }
  for (const cc of [2, 3, 4, 5, 6, 7, 12, 13, 14, 15]) e(0x39, 0xc8, 0x70 + cc, 0, 0x83, 0xf8, 0x01, 0x70 + cc, 0, 0x3b, 0x46, 0x04, 0x70 + cc, 0); // cmp r,r / r,imm / r,[m]; jcc
  for (let cc = 0; cc < 16; cc++) if (cc !== 10 && cc !== 11) e(0x85, 0xc0, 0x70 + cc, 0); // test eax,eax; jcc
  e(0x41, 0x74, 0, 0x49, 0x75, 0, 0x40, 0x78, 0, 0x48, 0x79, 0); // inc/dec + jcc
  // A store into this code page (past the program's end): the block stops after it and its
  // page is decoded afresh.
  e(0xbb, ...le(CODE + 0xff0), 0x89, 0x03); // mov ebx,CODE+0xff0; mov [ebx],eax
  e(0xba, ...le(3), 0x4a, 0x75, 0xfd); // mov edx,3; L: dec edx; jnz L (a block that loops to itself)
  e(0x4f, 0x0f, 0x85, ...le(top - (c.length + 6))); // dec edi; jnz top
  e(0xcd, 0x80); // int 0x80
  const sub = c.length;
  e(0xc3); // sub: ret
  c.splice(callAt + 1, 4, ...le(sub - (callAt + 5)));
  if (c.length > 0xff0) throw new Error('interpreter warm-up: the program outgrew its code page');
  return c;
}

/*
 * Native half of the CPU semantics oracle: runs test cases on this machine's
 * own processor as a 32-bit Linux process and reports what the CPU did.
 *
 * Built by tests/cpu/oracle/generate-fixtures.ts with
 *   clang --target=i386-linux-gnu -nostdlib -static -fuse-ld=lld -O1 -ffreestanding
 * No libc: raw int 0x80 system calls.
 *
 * stdin:  a sequence of `struct in` records (layout in fixture-format.ts);
 * stdout: one `struct out` record per input record.
 *
 * Every case's code ends with int3. The case runs with the registers,
 * EFLAGS, SSE and x87 state of its record; whatever stops it (the final
 * int3's SIGTRAP, or a fault: SIGFPE, SIGILL, SIGSEGV, SIGBUS) enters one
 * signal handler on an alternate stack, which records the general registers,
 * EFLAGS, EIP, the trap number (= exception vector), error code and CR2 from
 * the kernel's sigcontext, and redirects the return from the signal to
 * `recover`, which saves the FPU/SSE state (FXSAVE) and returns to C.
 *
 *   0x10000000  code   2 pages RWX   (case code; rest filled with int3)
 *   0x10100000  data   2 pages RW    (64-byte buffer; 16-byte tail window at +0x1ff0)
 *   0x10102000  guard  unmapped      (#PF cases)
 *   0x10200000  stack  2 pages RW    (64-byte window at +0xfe0)
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define CODE_BASE 0x10000000u
#define DATA_BASE 0x10100000u
#define STACK_BASE 0x10200000u
#define REGION 0x2000u

struct in {
  u32 regs[8];
  u32 eflags, code_addr, code_len, mxcsr, fcw, buf_addr, pad[2];
  u8 code[128];
  u8 buf[64];
  u8 tail[16];
  u8 stack[64];
  u8 xmm[128];
};

struct out {
  u32 regs[8];
  u32 eflags, eip, trapno, err, cr2, signo, pad[2];
  u8 buf[64];
  u8 tail[16];
  u8 stack[64];
  u8 fx[512];
};

extern int sys6(int nr, u32 a, u32 b, u32 c, u32 d, u32 e, u32 f);
extern void run_case(struct in *in);
extern void recover(void);
extern void restorer(void);

u32 host_esp;
u32 code_entry;
u8 fx_in[512] __attribute__((aligned(16)));
u8 fx_out[512] __attribute__((aligned(16)));
static u8 fx_clean[512] __attribute__((aligned(16)));
static struct out cur;
static u8 altstack[65536] __attribute__((aligned(16)));
static u8 inbuf[24 << 20];

__asm__(
  ".intel_syntax noprefix\n"
  ".globl _start\n"
  "_start:\n"
  "  and esp, -16\n"
  "  call main\n"
  "  mov ebx, eax\n"
  "  mov eax, 252\n"
  "  int 0x80\n"
  ".globl sys6\n"
  "sys6:\n"
  "  push ebp\n push ebx\n push esi\n push edi\n"
  "  mov eax, [esp+20]\n mov ebx, [esp+24]\n mov ecx, [esp+28]\n mov edx, [esp+32]\n"
  "  mov esi, [esp+36]\n mov edi, [esp+40]\n mov ebp, [esp+44]\n"
  "  int 0x80\n"
  "  pop edi\n pop esi\n pop ebx\n pop ebp\n ret\n"
  ".globl restorer\n"
  "restorer:\n"
  "  mov eax, 173\n int 0x80\n"
  ".globl run_case\n"
  "run_case:\n"
  "  push ebp\n push ebx\n push esi\n push edi\n"
  "  mov [host_esp], esp\n"
  "  mov eax, [esp+20]\n"
  "  fxrstor [fx_in]\n"
  "  push dword ptr [eax+32]\n"
  "  popfd\n"
  "  mov ecx, [eax+4]\n mov edx, [eax+8]\n mov ebx, [eax+12]\n mov esp, [eax+16]\n"
  "  mov ebp, [eax+20]\n mov esi, [eax+24]\n mov edi, [eax+28]\n mov eax, [eax]\n"
  ".att_syntax\n jmp *code_entry\n .intel_syntax noprefix\n"
  ".globl recover\n"
  "recover:\n"
  "  mov esp, [host_esp]\n"
  "  fxsave [fx_out]\n"
  "  cld\n"
  "  fninit\n"
  "  pop edi\n pop esi\n pop ebx\n pop ebp\n ret\n"
  ".att_syntax\n");

static void copy(void *d, const void *s, u32 n) {
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}
static void fill(void *d, u8 v, u32 n) {
  __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory");
}
/* The compiler may emit calls to these. */
void *memcpy(void *d, const void *s, u32 n) { copy(d, s, n); return d; }
void *memset(void *d, int v, u32 n) { fill(d, (u8)v, n); return d; }

static void die(const char *msg) {
  u32 n = 0;
  while (msg[n]) n++;
  sys6(4, 2, (u32)msg, n, 0, 0, 0);
  sys6(252, 111, 0, 0, 0, 0, 0);
}

static void handler(int sig, void *info, void *ucv) {
  u32 *sc = (u32 *)((u8 *)ucv + 20); /* struct sigcontext inside the ucontext */
  (void)info;
  cur.regs[0] = sc[11]; /* eax */
  cur.regs[1] = sc[10]; /* ecx */
  cur.regs[2] = sc[9];  /* edx */
  cur.regs[3] = sc[8];  /* ebx */
  cur.regs[4] = sc[7];  /* esp */
  cur.regs[5] = sc[6];  /* ebp */
  cur.regs[6] = sc[5];  /* esi */
  cur.regs[7] = sc[4];  /* edi */
  cur.trapno = sc[12];
  cur.err = sc[13];
  cur.eip = sc[14];
  cur.eflags = sc[16];
  cur.cr2 = sc[21];
  cur.signo = (u32)sig;
  sc[14] = (u32)recover;
  sc[16] &= ~(0x400u | 0x100u | 0x40000u); /* DF, TF, AC */
}

static void install(int sig) {
  struct { u32 handler, flags, restorer, mask[2]; } act;
  act.handler = (u32)handler;
  act.flags = 0x04000000u | 0x08000000u | 0x4u | 0x40000000u; /* SA_RESTORER | SA_ONSTACK | SA_SIGINFO | SA_NODEFER */
  act.restorer = (u32)restorer;
  act.mask[0] = act.mask[1] = 0;
  if (sys6(174, (u32)sig, (u32)&act, 0, 8, 0, 0) != 0) die("rt_sigaction failed\n");
}

static void map(u32 addr) {
  /* mmap2(addr, len, RWX, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0) */
  int r = sys6(192, addr, REGION, 7, 0x02 | 0x20 | 0x100000, (u32)-1, 0);
  if ((u32)r != addr) die("mmap failed\n");
}

int main(void) {
  struct { u32 sp, flags, size; } ss = { (u32)altstack, 0, sizeof altstack };
  u32 total = 0;
  if (sys6(186, (u32)&ss, 0, 0, 0, 0, 0) != 0) die("sigaltstack failed\n");
  install(4); install(5); install(7); install(8); install(11); /* ILL TRAP BUS FPE SEGV */
  map(CODE_BASE); map(DATA_BASE); map(STACK_BASE);
  for (;;) {
    int n = sys6(3, 0, (u32)inbuf + total, sizeof inbuf - total, 0, 0, 0);
    if (n < 0) die("read failed\n");
    if (n == 0) break;
    total += (u32)n;
    if (total == sizeof inbuf) die("input too large\n");
  }
  if (total % sizeof(struct in) != 0) die("input not a whole number of records\n");
  __asm__ volatile("fninit\n fxsave %0" : "=m"(fx_clean));
  for (u32 off = 0; off < total; off += sizeof(struct in)) {
    struct in *in = (struct in *)(inbuf + off);
    fill((void *)CODE_BASE, 0xcc, REGION);
    copy((void *)in->code_addr, in->code, in->code_len);
    fill((void *)DATA_BASE, 0, REGION);
    copy((void *)in->buf_addr, in->buf, 64);
    copy((void *)(DATA_BASE + 0x1ff0), in->tail, 16);
    fill((void *)STACK_BASE, 0, REGION);
    copy((void *)(STACK_BASE + 0xfe0), in->stack, 64);
    copy(fx_in, fx_clean, 512);
    *(u16 *)(fx_in + 0) = (u16)in->fcw;
    *(u16 *)(fx_in + 2) = 0;
    fx_in[4] = 0;
    *(u32 *)(fx_in + 24) = in->mxcsr;
    copy(fx_in + 160, in->xmm, 128);
    fill(&cur, 0, sizeof cur);
    code_entry = in->code_addr;
    run_case(in);
    copy(cur.buf, (void *)in->buf_addr, 64);
    copy(cur.tail, (void *)(DATA_BASE + 0x1ff0), 16);
    copy(cur.stack, (void *)(STACK_BASE + 0xfe0), 64);
    copy(cur.fx, fx_out, 512);
    if (sys6(4, 1, (u32)&cur, sizeof cur, 0, 0, 0) != (int)sizeof cur) die("write failed\n");
  }
  return 0;
}

/*
 * sdtrig - the trigger module (RISC-V Debug Specification 1.0, chapter 5
 * "Sdtrig (ISA Extension)"): address-match triggers (mcontrol, type 2, and
 * mcontrol6, type 6) with action 0, "Raise a breakpoint exception", on
 * instruction execution, loads and stores, in M-, S- and U-mode.
 *
 * Rules used:
 * - Enumeration: "Write 0 to tselect ... Read back tselect and check that it
 *   contains the written value. If not, exit the loop. Read tinfo ... If
 *   info is 1, this trigger doesn't exist"; tinfo.info has "One bit for each
 *   possible type enumerated in tdata1. Bit N corresponds to type N."
 * - All tdata registers are WARL: "a debugger must always read back values
 *   it writes"; so the optional features (hit bits, match kinds other than
 *   0, chain, tcontrol) are checked only where they read back as written,
 *   and skipped otherwise. dmode "is only writable from Debug Mode"; action
 *   1 "is only legal when the trigger's dmode is 1".
 * - "Triggers can cause a breakpoint exception" (action 0, cause 3); the
 *   execute-address and load/store-address triggers fire "before": "xepc
 *   ... must be set to the virtual address of the instruction that
 *   matched", and the instruction does not complete (no register written,
 *   no memory changed). tval: the privileged spec lets a breakpoint write 0
 *   or "the faulting virtual address" ("The faulting virtual address for an
 *   mcontrol trigger with action=0 is the address being accessed"): both
 *   are accepted.
 * - m/s/u: "When set, enable this trigger in M-mode" (S-mode, U-mode); a
 *   trigger fires only in the modes whose bit is set; the breakpoint is
 *   taken in M, or in S when medeleg[3] delegates it.
 * - select = 0: "There is at least one compare value and it contains the
 *   lowest virtual address of the access" (an access starting at tdata2, or
 *   a doubleword starting below it that covers it, matches; an access that
 *   ends before tdata2 does not). "lr instructions are loads", "Each AMO
 *   instruction is a load for the read portion ... a store for the write
 *   portion", "Successful sc instructions are stores".
 * - match: 0 equal, 1 NAPOT (mcontrol6), 2 ">= (unsigned)", 3 "< (unsigned)";
 *   chain: "The action on that final trigger will be taken if and only if
 *   all the triggers in the chain match at the same time".
 * - hit: "If this bit is implemented then it must become set when this
 *   trigger fires"; mcontrol6 hit1:hit0 = 1, "before".
 * - tcontrol (optional): with mte = 0 "Triggers with action=0 do not
 *   match/fire while the hart is in M-mode"; "When any trap into M-mode is
 *   taken, mpte is set to the value of mte" and mte to 0; "When mret is
 *   executed, mte is set to the value of mpte".
 *
 * Not checked here because QEMU 7.2 does otherwise (rivet's unit tests in
 * core/src/trigger.rs cover them): writing 0 (or type 15) to tdata1 disables
 * the trigger (QEMU 7.2 ignores the write); a byte or word load/store inside
 * tdata2 + 1 .. tdata2 + 7 does not match an equal trigger (QEMU 7.2 watches
 * 8 bytes from tdata2); vs/vu read 0 without the H extension (QEMU 7.2 keeps
 * them). QEMU 7.2 also fires every execute trigger enabled in the current
 * mode whenever any execute trigger's address is reached, so the ROM never
 * arms execute triggers for different modes at once. Pinned: tdata1 resets
 * to type 2 (as riscv-tests' breakpoint test expects and QEMU 7.2 does), at
 * least two triggers.
 *
 * Triggers are only ever armed on tbuf (in .data), on code labels of this
 * file, on the page after the end of the image (FAR, which nothing else
 * touches) or below 0x1000; the harness's own accesses never match them.
 * Between checks a trigger is parked as "type 2, nothing enabled".
 */
#include "test.h"
#include "vm.h"

#define TYPE2 (2 << 60)
#define TYPE6 (6 << 60)
#define T_LOAD 0x1
#define T_STORE 0x2
#define T_EXEC 0x4
#define T_U 0x8
#define T_S 0x10
#define T_M 0x40
#define T_MATCH(k) ((k) << 7)
#define T_CHAIN (1 << 11)
#define T_ACTION(a) ((a) << 12)
#define T_HIT (1 << 20)             /* mcontrol */
#define T6_HIT0 (1 << 22)           /* mcontrol6 */
#define T6_HIT1 (1 << 25)
#define T_DMODE (1 << 59)
#define TCONTROL_MTE 0x8
#define TCONTROL_MPTE 0x80

/* The insn must raise a breakpoint taken in M (or S) with tval 0 or the
   address in reg; it is skipped. */
#define BKPT(reg, insn...)                                                   \
    mv t5, reg; rt_expect PRV_M, CAUSE_BREAKPOINT, RT_F_TVAL | RT_F_TVAL_OR_0, \
        __LINE__; insn; rt_trapped __LINE__
#define BKPT_S(reg, insn...)                                                 \
    mv t5, reg; rt_expect PRV_S, CAUSE_BREAKPOINT, RT_F_TVAL | RT_F_TVAL_OR_0, \
        __LINE__; insn; rt_trapped __LINE__
/* The same, tval not checked */
#define BKPT_ANYTVAL(insn...) TRAP_ANYTVAL(CAUSE_BREAKPOINT, insn)

/* Trigger i: parked, tdata2 = addrreg, then tdata1 = value. */
.macro trig i, addrreg, value
    li t5, \i
    csrw tselect, t5
    li t5, TYPE2
    csrw tdata1, t5
    csrw tdata2, \addrreg
    li t5, \value
    csrw tdata1, t5
.endm
/* The same, going to `skip` unless tdata1 reads back as written. */
.macro trig_or_skip i, addrreg, value, skip
    trig \i, \addrreg, \value
    csrr t5, tdata1
    li t6, \value
    bne t5, t6, \skip
.endm
/* Park trigger i (type 2, no mode, no operation: it never fires). */
.macro untrig i
    li t5, \i
    csrw tselect, t5
    li t5, TYPE2
    csrw tdata1, t5
.endm
.macro untrig_all
    untrig 0
    untrig 1
.endm

/* tdata1 = type 2, then type 6, with bits v: each reads back as written */
.macro readback v
    li a0, TYPE2 | \v
    csrw tdata1, a0
    csrr a1, tdata1
    CHECK_REG(a1, a0)
    li a0, TYPE6 | \v
    csrw tdata1, a0
    csrr a1, tdata1
    CHECK_REG(a1, a0)
.endm

/* a1 = tdata1 of trigger i */
.macro read_tdata1 i
    li t5, \i
    csrw tselect, t5
    csrr a1, tdata1
.endm

/* s0 = tbuf, s3 = FAR (the page after the image), s4 = sentinel */
.macro regs
    la s0, tbuf
    la s3, _end
    li t5, 0xfff
    add s3, s3, t5
    srli s3, s3, 12
    slli s3, s3, 12
    li s4, 0x5a5a
.endm

TEST_BEGIN("sdtrig")
    .option norvc

    /* ---- set-up, enumeration, reset state ---- */
    CASE(1)
    PMP_ALLOW_ALL
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrw satp, zero
    la a0, rt_strap_entry
    csrw stvec, a0
    csrw tselect, zero
    csrr a1, tselect
    CHECK(a1, 0)
    csrr a1, tdata1
    srli a1, a1, 60
    CHECK(a1, 2)                    /* pinned: type 2 at reset */
    csrr a1, tinfo
    CHECK_BITS(a1, 0x44, 0x44)      /* types 2 and 6 */
    li s2, 0                        /* count the triggers */
1:  csrw tselect, s2
    csrr a1, tselect
    bne a1, s2, 2f
    csrr a1, tinfo
    li t5, 0xffff
    and a1, a1, t5
    li t5, 1
    beq a1, t5, 2f
    addi s2, s2, 1
    li t5, 64
    bltu s2, t5, 1b
2:  li a1, 2
    CHECK_LEU(a1, s2)               /* at least two */
    csrw tselect, zero
    li a0, -1                       /* tdata2 holds every address */
    csrw tdata2, a0
    csrr a1, tdata2
    CHECK(a1, -1)
    li a0, 0x80001234
    csrw tdata2, a0
    csrr a1, tdata2
    CHECK(a1, 0x80001234)

    /* ---- tdata1 reads back what riscv-tests writes; WARL fields ---- */
    CASE(2)
    readback T_M | T_EXEC
    readback T_M | T_LOAD
    readback T_M | T_STORE
    readback T_M | T_S | T_U | T_EXEC | T_LOAD | T_STORE
    li a0, TYPE2 | T_DMODE | T_M | T_LOAD   /* dmode: Debug Mode only */
    csrw tdata1, a0
    csrr a1, tdata1
    srli a2, a1, 59
    CHECK_BITS(a2, 1, 0)
    li a0, TYPE6 | T_DMODE | T_M | T_LOAD
    csrw tdata1, a0
    csrr a1, tdata1
    srli a2, a1, 59
    CHECK_BITS(a2, 1, 0)
    li a0, TYPE2 | T_ACTION(1) | T_M | T_LOAD   /* action 1 needs dmode */
    csrw tdata1, a0
    csrr a1, tdata1
    srli a2, a1, 12
    andi a2, a2, 0xf
    li t5, 1
    beq a2, t5, 1f
    j 2f
1:  FAIL_HERE()
2:  li a0, TYPE2
    csrw tdata1, a0
    ENTER_MODE(PRV_S, 1f)           /* M-mode CSRs */
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x7a002573, csrr a0, tselect)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x7a102573, csrr a0, tdata1)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x7a202573, csrr a0, tdata2)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x7a402573, csrr a0, tinfo)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- M-mode, as riscv-tests' breakpoint: execute, load, store ---- */
    CASE(3)
    regs
    li s1, 0
    la a2, 71f
    trig 0, a2, TYPE2 | T_M | T_EXEC
    BKPT(a2, 71: addi s1, s1, 1)
    CHECK(s1, 0)                    /* skipped: it did not execute */
    lw a0, 0(a2)                    /* reads of that address do not trap */
    CASE(4)
    trig 0, s0, TYPE2 | T_M | T_LOAD
    mv a1, s4
    BKPT(s0, lw a1, 0(s0))
    CHECK_REG(a1, s4)               /* not written */
    BKPT(s0, ld a1, 0(s0))
    BKPT(s0, lbu a1, 0(s0))
    ld a1, 8(s0)                    /* after */
    ld a1, -8(s0)                   /* before */
    lbu a1, -1(s0)
    li a0, 0x42
    sw a0, 0(s0)                    /* stores do not trap (read in case 5) */
    li a3, 1                        /* AMO and LR are loads */
    mv a1, s4
    BKPT(s0, amoadd.w a1, a3, (s0))
    CHECK_REG(a1, s4)
    BKPT(s0, amoswap.d a1, a3, (s0))
    BKPT(s0, lr.w a1, (s0))
    CHECK_REG(a1, s4)
    CASE(5)
    trig 0, s0, TYPE2 | T_M | T_STORE
    li a0, 0x77
    BKPT(s0, sw a0, 0(s0))
    BKPT(s0, sb a0, 0(s0))
    sd a0, 8(s0)
    sd a0, -8(s0)
    lw a1, 0(s0)                    /* loads do not trap */
    CHECK(a1, 0x42)                 /* the store of case 4 happened, the AMOs
                                       and the stores here did not */
    mv a1, s4
    BKPT(s0, amoor.w a1, a0, (s0))  /* AMOs are stores */
    CHECK_REG(a1, s4)
    lr.w a1, (s0)                   /* a successful SC is a store */
    mv a2, s4
    BKPT(s0, sc.w a2, a0, (s0))
    CHECK_REG(a2, s4)
    lw a1, 0(s0)
    CHECK(a1, 0x42)
    CASE(6)                         /* an access that covers tdata2 */
    addi a2, s0, 4
    trig 1, a2, TYPE2 | T_M | T_LOAD | T_STORE
    mv a1, s4
    BKPT_ANYTVAL(ld a1, 0(s0))
    CHECK_REG(a1, s4)
    BKPT_ANYTVAL(sd a0, 0(s0))
    lw a1, 0(s0)                    /* ends before tdata2 */
    ld a1, 16(s0)                   /* after it (QEMU 7.2 watches 8 bytes) */
    sd a1, 16(s0)
    lw a1, 0(s0)
    CHECK(a1, 0x42)
    CASE(7)                         /* a second trigger */
    addi a2, s0, 16
    trig 1, a2, TYPE2 | T_M | T_LOAD
    csrr a1, tselect
    CHECK(a1, 1)
    BKPT(a2, lw a1, 16(s0))
    BKPT(s0, sw a0, 0(s0))          /* trigger 0 still fires */
    lw a1, 0(s0)                    /* each only on its own */
    sw a0, 16(s0)
    read_tdata1 0
    CHECK_BITS(a1, ~T_HIT, TYPE2 | T_M | T_STORE)
    untrig_all
    sw a0, 0(s0)
    lw a1, 16(s0)
    lw a1, 0(s0)
    CHECK(a1, 0x77)

    /* ---- mcontrol6 in M-mode ---- */
    CASE(8)
    regs
    la a2, 71f
    trig 1, a2, TYPE6 | T_M | T_EXEC
    li s1, 0
    BKPT(a2, 71: addi s1, s1, 1)
    CHECK(s1, 0)
    trig 1, s0, TYPE6 | T_M | T_LOAD | T_STORE
    mv a1, s4
    BKPT(s0, lw a1, 0(s0))
    CHECK_REG(a1, s4)
    BKPT(s0, sd a1, 0(s0))
    ld a1, 8(s0)
    untrig 1

    /* ---- S-mode: the s bit, and delegation to S ---- */
    CASE(9)
    regs
    la a3, 72f
    trig 1, a3, TYPE6 | T_M | T_U | T_EXEC      /* not in S */
    li s1, 0
    ENTER_MODE(PRV_S, 1f)
1:
72: addi s1, s1, 1
    CHECK(s1, 1)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    untrig 1                        /* (QEMU 7.2 fires every enabled execute
                                       trigger when any one's address is hit) */
    la a2, 71f
    trig 0, a2, TYPE2 | T_S | T_EXEC
    ENTER_MODE(PRV_S, 1f)
1:  BKPT(a2, 71: addi s1, s1, 1)    /* taken in M from S, back to S */
    CHECK(s1, 1)
    LAST_TRAP(a0, STATUS)
    srli a0, a0, MSTATUS_MPP_SHIFT
    CHECK_BITS(a0, 3, PRV_S)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(10)
    trig 0, s0, TYPE6 | T_S | T_LOAD
    addi a3, s0, 8
    trig 1, a3, TYPE2 | T_M | T_U | T_LOAD | T_STORE    /* not in S */
    ENTER_MODE(PRV_S, 1f)
1:  mv a1, s4
    BKPT(s0, lw a1, 0(s0))
    CHECK_REG(a1, s4)
    BKPT(s0, lr.d a1, (s0))
    sw a1, 0(s0)                    /* not a store trigger */
    ld a1, 8(s0)                    /* trigger 1: not in S */
    sd a1, 8(s0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(11)
    trig 0, s0, TYPE2 | T_S | T_STORE
    ENTER_MODE(PRV_S, 1f)
1:  li a0, 0x99
    BKPT(s0, sw a0, 0(s0))
    lw a1, 0(s0)
    CHECK_REG(a1, s4)               /* the store did not happen (case 9) */
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(12)                        /* medeleg[3]: taken in S, from S */
    li a0, 1 << CAUSE_BREAKPOINT
    csrs medeleg, a0
    la a2, 71f
    trig 1, a2, TYPE6 | T_S | T_EXEC
    li s1, 0
    ENTER_MODE(PRV_S, 1f)
1:  li a0, 0x99
    BKPT_S(s0, sw a0, 0(s0))
    BKPT_S(a2, 71: addi s1, s1, 1)
    CHECK(s1, 0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    li a0, 1 << CAUSE_BREAKPOINT
    csrc medeleg, a0
    untrig_all

    /* ---- U-mode: the u bit ---- */
    CASE(13)
    regs
    la a3, 72f
    trig 1, a3, TYPE2 | T_M | T_S | T_EXEC      /* not in U */
    li s1, 0
    ENTER_MODE(PRV_U, 1f)
1:
72: addi s1, s1, 1
    CHECK(s1, 1)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    untrig 1
    la a2, 71f
    trig 0, a2, TYPE6 | T_U | T_EXEC
    ENTER_MODE(PRV_U, 1f)
1:  BKPT(a2, 71: addi s1, s1, 1)
    CHECK(s1, 1)
    LAST_TRAP(a0, STATUS)
    srli a0, a0, MSTATUS_MPP_SHIFT
    CHECK_BITS(a0, 3, PRV_U)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(14)
    trig 0, s0, TYPE2 | T_U | T_LOAD
    trig 1, s0, TYPE6 | T_U | T_STORE
    ENTER_MODE(PRV_U, 1f)
1:  mv a1, s4
    BKPT(s0, lhu a1, 0(s0))
    CHECK_REG(a1, s4)
    li a0, 0x31
    BKPT(s0, sh a0, 0(s0))
    li a3, 1
    BKPT(s0, amoadd.d a1, a3, (s0))  /* load and store: both fire */
    CHECK_REG(a1, s4)
    ld a1, 8(s0)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(15)                        /* S- and M-only triggers stay quiet in U */
    trig 0, s0, TYPE6 | T_S | T_M | T_LOAD | T_STORE
    la a2, 71f
    trig 1, a2, TYPE2 | T_S | T_LOAD | T_STORE | T_EXEC
    li s1, 0
    ENTER_MODE(PRV_U, 1f)
1:  lw a1, 0(s0)
    sw a1, 0(s0)
71: addi s1, s1, 1
    CHECK(s1, 1)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(16)                        /* delegated, from U */
    li a0, 1 << CAUSE_BREAKPOINT
    csrs medeleg, a0
    trig 0, s0, TYPE2 | T_U | T_LOAD
    ENTER_MODE(PRV_U, 1f)
1:  BKPT_S(s0, lw a1, 0(s0))
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    li a0, 1 << CAUSE_BREAKPOINT
    csrc medeleg, a0
    untrig_all

    /* ---- hit bits, where implemented ---- */
    CASE(17)
    regs
    trig 0, s0, TYPE2 | T_M | T_LOAD | T_HIT    /* writable? */
    csrr a1, tdata1
    li t5, T_HIT
    and a1, a1, t5
    beqz a1, 1f                     /* not implemented: skip */
    trig 0, s0, TYPE2 | T_M | T_LOAD
    addi a2, s0, 8
    trig 1, a2, TYPE2 | T_M | T_LOAD
    BKPT(s0, lw a1, 0(s0))
    read_tdata1 0
    CHECK(a1, TYPE2 | T_M | T_LOAD | T_HIT)
    read_tdata1 1
    CHECK(a1, TYPE2 | T_M | T_LOAD)   /* did not fire */
    li a0, TYPE2 | T_M | T_LOAD     /* software clears it */
    csrw tdata1, a0
    csrr a1, tdata1
    CHECK_REG(a1, a0)
1:  trig 0, s0, TYPE6 | T_M | T_STORE | T6_HIT0
    csrr a1, tdata1
    li t5, T6_HIT0
    and a1, a1, t5
    beqz a1, 1f
    trig 0, s0, TYPE6 | T_M | T_STORE
    BKPT(s0, sb zero, 0(s0))
    read_tdata1 0
    CHECK(a1, TYPE6 | T_M | T_STORE | T6_HIT0)  /* hit1:hit0 = 1, before */
1:  untrig_all

    /* ---- match kinds, where implemented ---- */
    CASE(18)                        /* >= FAR, loads in every mode */
    regs
    trig_or_skip 0, s3, TYPE2 | T_MATCH(2) | T_M | T_S | T_U | T_LOAD, 1f
    BKPT(s3, ld a1, 0(s3))
    li t5, 0x800
    add a2, s3, t5
    BKPT(a2, lw a1, 0(a2))
    ld a1, -8(s3)                   /* below */
    ld a1, 0(s0)
1:  untrig 0
    CASE(19)                        /* < 0x1000: before the access fault */
    li a2, 0x1000
    trig_or_skip 1, a2, TYPE6 | T_MATCH(3) | T_M | T_LOAD, 1f
    li a2, 0x10
    BKPT(a2, lw a1, 0(a2))
    ld a1, 0(s0)
1:  untrig 1
    CASE(20)                        /* NAPOT: the 4 KiB page FAR */
    addi a2, s3, 0x7ff
    trig_or_skip 0, a2, TYPE6 | T_MATCH(1) | T_M | T_LOAD | T_STORE, 1f
    csrr a1, tdata2
    CHECK_REG(a1, a2)
    BKPT(s3, sd zero, 0(s3))
    li t5, 0xff8
    add a3, s3, t5
    BKPT(a3, ld a1, 0(a3))
    ld a1, -8(s3)
    li t5, 0x1000
    add a3, s3, t5
    ld a1, 0(a3)                    /* the next page */
    li a0, -1                       /* maskmax6 discovery: a bit is cleared */
    csrw tdata2, a0
    csrr a1, tdata2
    li t5, -1
    beq a1, t5, 2f
    j 1f
2:  FAIL_HERE()
1:  untrig_all

    /* ---- chain, where implemented ---- */
    CASE(21)                        /* [FAR + 0x100, FAR + 0x200) */
    addi a2, s3, 0x100
    trig_or_skip 0, a2, TYPE2 | T_MATCH(2) | T_CHAIN | T_M | T_LOAD, 1f
    addi a3, s3, 0x200
    trig_or_skip 1, a3, TYPE2 | T_MATCH(3) | T_M | T_LOAD, 1f
    BKPT(a2, ld a1, 0x100(s3))
    addi a3, s3, 0x1f8
    BKPT(a3, ld a1, 0x1f8(s3))
    ld a1, 0x200(s3)                /* only trigger 0 matches */
    ld a1, 0xf8(s3)                 /* only trigger 1 matches */
    ld a1, 0(s0)
1:  untrig_all

    /* ---- tcontrol: mte and mpte, where implemented ---- */
    CASE(22)
    regs
    li t5, 0
    rt_expect PRV_M, CAUSE_ILLEGAL_INSTRUCTION, 0, __LINE__
    csrr a1, tcontrol
    rt_maybe_trapped
    bnez t6, 9f                     /* no tcontrol: skip */
    li a0, TCONTROL_MTE | TCONTROL_MPTE
    csrw tcontrol, a0
    csrr a1, tcontrol
    CHECK(a1, TCONTROL_MTE | TCONTROL_MPTE)
    li a0, -1                       /* the other bits are 0 */
    csrw tcontrol, a0
    csrr a1, tcontrol
    CHECK(a1, TCONTROL_MTE | TCONTROL_MPTE)
    CASE(23)                        /* mte = 0: no M-mode trigger fires */
    csrw tcontrol, zero
    la a2, 71f
    trig 0, a2, TYPE2 | T_M | T_S | T_EXEC
    trig 1, s0, TYPE6 | T_M | T_S | T_LOAD
    li s1, 0
71: addi s1, s1, 1
    CHECK(s1, 1)
    lw a1, 0(s0)
    ENTER_MODE(PRV_S, 1f)           /* S-mode triggers still do */
1:  BKPT(s0, lw a1, 0(s0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    csrr a1, tcontrol
    CHECK(a1, 0)                    /* the traps kept mte = mpte = 0 */
    li a0, TCONTROL_MTE             /* mte = 1: they fire in M again */
    csrs tcontrol, a0
    BKPT(s0, lw a1, 0(s0))
    csrr a1, tcontrol               /* mret restored mte from mpte */
    CHECK(a1, TCONTROL_MTE | TCONTROL_MPTE)
    untrig_all
    CASE(24)                        /* a trap into M: mpte = mte, mte = 0 */
    la a0, tc_handler
    csrrw s5, mtvec, a0
    li a0, TCONTROL_MTE
    csrw tcontrol, a0
    ecall                           /* tc_handler: s6 = tcontrol, skip */
    csrw mtvec, s5
    CHECK(s6, TCONTROL_MPTE)
    csrr a1, tcontrol
    CHECK(a1, TCONTROL_MTE | TCONTROL_MPTE)
    csrw tcontrol, zero
    la a0, tc_handler
    csrw mtvec, a0
    ecall
    csrw mtvec, s5
    CHECK(s6, 0)
    csrr a1, tcontrol
    CHECK(a1, 0)
    li a0, TCONTROL_MTE | TCONTROL_MPTE
    csrw tcontrol, a0
9:
TEST_END

/* Records tcontrol in s6 and returns past the ecall. */
    .balign 4
tc_handler:
    csrr s6, tcontrol
    csrr t5, mepc
    addi t5, t5, 4
    csrw mepc, t5
    mret

    .data
    .balign 64
    .dword 0x1111111111111111, 0x2222222222222222, 0x3333333333333333
    .dword 0x4444444444444444, 0x5555555555555555, 0x6666666666666666
    .dword 0x7777777777777777, 0x8888888888888888
tbuf:
    .dword 0, 0, 0, 0, 0, 0, 0, 0

/*
 * fs-state - the floating-point unit's architectural state: mstatus.FS
 * and SD, sstatus's view of them, the fcsr/frm/fflags CSRs, and reserved
 * rounding modes (privileged spec, mstatus "Extension Context Status";
 * unprivileged spec, "F" Standard Extension, "Floating-Point Control and
 * Status Register").
 *
 * Rules used:
 * - "When an extension's status is set to Off, any instruction that
 *   attempts to read or write the corresponding state will cause an
 *   illegal-instruction exception." The FP state is f0-f31 and fcsr (with
 *   its views frm and fflags), so with FS = Off every F/D instruction
 *   (loads, stores, moves, compares, classify included) and every access to
 *   fflags/frm/fcsr, even a read, is illegal. Pinned (as in the other
 *   ROMs): mtval = the instruction bits (16 bits for a compressed one).
 *   Illegal instruction comes before a load/store access fault in the
 *   exception priority order, so an flw from a vacant address still
 *   reports 2. "Changing the setting of FS has no effect on the contents of
 *   the floating-point register state."
 * - Transitions ("FS, VS, and XS state transitions"): "Execute instruction
 *   that possibly modifies state, including configuration": Initial ->
 *   Dirty, Clean -> Dirty; "Execute instruction to read state": stays. An
 *   instruction that writes an f register, or accrues a flag that was not
 *   set (fflags changes), or writes fcsr/frm/fflags, modifies the state.
 *   "SD=((FS==11) OR (XS==11) OR (VS==11))", read-only.
 *   Pinned: instructions that only read the FP state (fsw/fsd, fmv.x.*,
 *   fclass, a compare or a conversion to integer that raises no flag, CSR
 *   reads) leave FS Clean. (The spec also allows an implementation to mark
 *   the state Dirty imprecisely; rivet, like QEMU, tracks it precisely.)
 * - "Machine and Supervisor modes share a single copy of the FS, VS, and
 *   XS bits": sstatus.FS and sstatus.SD are views of mstatus's.
 * - fcsr: frm is bits 7:5, fflags bits 4:0; bits 31:8 (and above) ignore
 *   writes and read as zero (no other standard extension uses them here).
 *   FRRM/FRFLAGS read the field zero-extended; writing frm takes the three
 *   least-significant bits of rs1, writing fflags the five.
 * - Reserved rounding modes: rm = 101 or 110 in an instruction, or rm = 111
 *   (DYN) while frm holds 101, 110 or 111. The current spec calls the
 *   behaviour reserved; the ratified F spec "mandated that an illegal-
 *   instruction exception was raised", which "is still valid behavior".
 *   Pinned: illegal instruction (as QEMU does), for every instruction with
 *   an rm field, including the exact conversions fcvt.d.s/fcvt.d.w
 *   ("implementations must treat the rm field as usual (in particular,
 *   with regard to decoding legal vs. reserved encodings)"). Instructions
 *   without an rm field are unaffected by frm.
 */
#include "test.h"
#include "fp.h"

#define SET_FS(v) li a7, MSTATUS_FS; csrc mstatus, a7; li a7, v; csrs mstatus, a7
#define CHECK_FS(v) csrr a0, mstatus; li a7, MSTATUS_FS; and a0, a0, a7; CHECK(a0, v)
#define CHECK_SD(v) csrr a0, mstatus; srli a0, a0, 63; CHECK(a0, v)
#define CHECK_SFS(v) csrr a0, sstatus; li a7, MSTATUS_FS; and a0, a0, a7; CHECK(a0, v)
#define CHECK_SSD(v) csrr a0, sstatus; srli a0, a0, 63; CHECK(a0, v)

/* The instruction must raise an illegal-instruction exception with
   mtval = its 32 bits (read back from memory; a6, a5 scratch). */
#define ILLEGAL(...)                                                         \
    la a6, 8f; lhu a5, 0(a6); lhu a6, 2(a6); slli a6, a6, 16; or a6, a6, a5; \
    TRAP_R(CAUSE_ILLEGAL_INSTRUCTION, a6, 8: __VA_ARGS__)
/* The same for a 16-bit instruction. */
#define ILLEGAL16(...)                                                       \
    la a6, 8f; lhu a6, 0(a6);                                                \
    TRAP_R(CAUSE_ILLEGAL_INSTRUCTION, a6, 8: __VA_ARGS__)

#define SENTINEL 0x5eed5eed5eed5eed
#define VACANT 0x200000000000

TEST_BEGIN("fs-state")
    .option norvc
    la s0, buf

    /* ---- FS = Off ---- */
    CASE(1)
    SET_FS(MSTATUS_FS_OFF)
    CHECK_FS(MSTATUS_FS_OFF)
    CHECK_SD(0)
    CHECK_SFS(MSTATUS_FS_OFF)
    CASE(2)                         /* loads and stores */
    ILLEGAL(flw fa0, 0(s0))
    ILLEGAL(fsw fa0, 0(s0))
    ILLEGAL(fld fa0, 0(s0))
    ILLEGAL(fsd fa0, 0(s0))
    li a1, VACANT                   /* illegal beats the access fault */
    ILLEGAL(flw fa0, 0(a1))
    ILLEGAL(fsd fa0, 0(a1))
    CASE(3)                         /* arithmetic, fused, conversions */
    ILLEGAL(fadd.s fa0, fa1, fa2)
    ILLEGAL(fadd.d fa0, fa1, fa2, rne)
    ILLEGAL(fdiv.s fa0, fa1, fa2, rtz)
    ILLEGAL(fsqrt.d fa0, fa1)
    ILLEGAL(fmadd.s fa0, fa1, fa2, fa3)
    ILLEGAL(fnmsub.d fa0, fa1, fa2, fa3, rup)
    ILLEGAL(fcvt.s.d fa0, fa1)
    ILLEGAL(fcvt.d.s fa0, fa1)
    li a0, SENTINEL
    ILLEGAL(fcvt.w.s a0, fa1, rtz)
    CHECK(a0, SENTINEL)             /* rd unchanged */
    ILLEGAL(fcvt.lu.d a0, fa1)
    ILLEGAL(fcvt.s.w fa0, a1)
    ILLEGAL(fcvt.d.lu fa0, a1)
    CASE(4)                         /* instructions without a rounding mode */
    ILLEGAL(fsgnj.s fa0, fa1, fa2)
    ILLEGAL(fsgnjx.d fa0, fa1, fa2)
    ILLEGAL(fmin.s fa0, fa1, fa2)
    ILLEGAL(fmax.d fa0, fa1, fa2)
    ILLEGAL(feq.s a0, fa1, fa2)
    ILLEGAL(flt.d a0, fa1, fa2)
    ILLEGAL(fle.s a0, fa1, fa2)
    ILLEGAL(fclass.s a0, fa1)
    ILLEGAL(fclass.d a0, fa1)
    ILLEGAL(fmv.x.w a0, fa1)
    ILLEGAL(fmv.w.x fa0, a1)
    ILLEGAL(fmv.x.d a0, fa1)
    ILLEGAL(fmv.d.x fa0, a1)
    CHECK(a0, SENTINEL)
    CASE(5)                         /* the compressed FP loads and stores */
    .option push
    .option rvc
    mv a5, s0
    mv s1, sp
    mv sp, s0
    ILLEGAL16(c.fld fa0, 8(a5))
    ILLEGAL16(c.fsd fa0, 8(a5))
    ILLEGAL16(c.fldsp fa0, 8(sp))
    ILLEGAL16(c.fsdsp fa0, 8(sp))
    mv sp, s1
    .option pop
    CASE(6)                         /* the FP CSRs, even reads */
    li a0, SENTINEL
    ILLEGAL(csrr a0, fflags)
    ILLEGAL(csrr a0, frm)
    ILLEGAL(csrr a0, fcsr)
    CHECK(a0, SENTINEL)
    li a1, 1
    ILLEGAL(csrw fflags, a1)
    ILLEGAL(csrw frm, a1)
    ILLEGAL(csrw fcsr, a1)
    ILLEGAL(csrwi frm, 2)
    ILLEGAL(csrrs a0, fcsr, zero)
    ILLEGAL(csrrc a0, fflags, a1)
    ILLEGAL(csrrwi a0, fcsr, 0)
    ILLEGAL(frflags a0)
    ILLEGAL(fsrmi 3)
    CHECK(a0, SENTINEL)
    CASE(7)                         /* nothing of that changed FS */
    CHECK_FS(MSTATUS_FS_OFF)
    CHECK_SD(0)

    /* ---- FS = Off keeps the state ---- */
    CASE(8)
    SET_FS(MSTATUS_FS_INITIAL)
    FLI_D(fs2, 0x0123456789abcdef)
    li a1, 0x65                     /* frm 3, flags 0x05 */
    csrw fcsr, a1
    SET_FS(MSTATUS_FS_OFF)
    SET_FS(MSTATUS_FS_INITIAL)
    fmv.x.d a0, fs2
    CHECK(a0, 0x0123456789abcdef)
    csrr a0, fcsr
    CHECK(a0, 0x65)

    /* ---- Initial -> Dirty, SD, the sstatus view ---- */
    CASE(9)
    SET_FS(MSTATUS_FS_INITIAL)
    CHECK_FS(MSTATUS_FS_INITIAL)
    CHECK_SD(0)
    CHECK_SFS(MSTATUS_FS_INITIAL)
    CHECK_SSD(0)
    CASE(10)
    li a1, 0x40000000
    fmv.w.x fa0, a1                 /* writes an f register */
    CHECK_FS(MSTATUS_FS_DIRTY)
    CHECK_SD(1)
    CHECK_SFS(MSTATUS_FS_DIRTY)
    CHECK_SSD(1)
    CASE(11)                        /* SD is read-only */
    SET_FS(MSTATUS_FS_INITIAL)
    li a1, MSTATUS_SD
    csrs mstatus, a1
    CHECK_SD(0)
    csrs sstatus, a1
    CHECK_SSD(0)
    CHECK_FS(MSTATUS_FS_INITIAL)
    CASE(12)                        /* one FS: writes through sstatus */
    li a1, MSTATUS_FS
    csrc sstatus, a1
    CHECK_FS(MSTATUS_FS_OFF)
    li a1, MSTATUS_FS_CLEAN
    csrs sstatus, a1
    CHECK_FS(MSTATUS_FS_CLEAN)
    CHECK_SFS(MSTATUS_FS_CLEAN)
    li a1, MSTATUS_FS_DIRTY
    csrs sstatus, a1
    CHECK_FS(MSTATUS_FS_DIRTY)
    CHECK_SD(1)
    CASE(13)                        /* Initial -> Dirty through an FP CSR write */
    SET_FS(MSTATUS_FS_INITIAL)
    csrwi frm, 1
    CHECK_FS(MSTATUS_FS_DIRTY)
    CHECK_SD(1)
    csrwi frm, 0

    /* ---- Clean stays Clean while the state is only read (pinned) ---- */
    CASE(14)
    csrwi fflags, 0
    FLI_S(fa1, 0x3f800000)          /* 1.0 */
    FLI_S(fa2, 0x40000000)          /* 2.0 */
    FLI_D(fa3, 0x4008000000000000)  /* 3.0 */
    SET_FS(MSTATUS_FS_CLEAN)
    CHECK_FS(MSTATUS_FS_CLEAN)
    CHECK_SD(0)
    fsw fa1, 0(s0)
    fsd fa3, 8(s0)
    fmv.x.w a1, fa1
    fmv.x.d a1, fa3
    fclass.s a1, fa1
    fclass.d a1, fa3
    CHECK_FS(MSTATUS_FS_CLEAN)
    CASE(15)
    feq.s a1, fa1, fa2              /* no NaN: no flag */
    flt.s a1, fa1, fa2
    fle.d a1, fa3, fa3
    fcvt.w.s a1, fa2, rtz           /* exact: no flag */
    fcvt.lu.d a1, fa3
    CHECK_FS(MSTATUS_FS_CLEAN)
    CASE(16)
    csrr a1, fflags
    csrr a1, frm
    csrr a1, fcsr
    CHECK_FS(MSTATUS_FS_CLEAN)
    CHECK_SD(0)

    /* ---- Clean -> Dirty for each kind of modification ---- */
#ifndef QEMU_REFERENCE   /* QEMU-divergent: QEMU 7.2 leaves FS Clean when an
                            instruction that writes no f register accrues a flag */
    /* The spec: "The FS field encodes the status of the floating-point unit
       state, including the floating-point registers f0-f31 and the CSRs
       fcsr, frm, and fflags"; "Execute instruction that possibly modifies
       state": Clean -> Dirty; and Clean means the state "matches the last
       value stored on a context swap", which fflags no longer does. */
    CASE(17)                        /* a flag accrued by a compare */
    li a2, 0x7f800001               /* signalling NaN */
    fmv.w.x fa4, a2
    csrwi fflags, 0
    SET_FS(MSTATUS_FS_CLEAN)
    feq.s a1, fa4, fa1              /* NV: fflags 0 -> 0x10 */
    CHECK_FS(MSTATUS_FS_DIRTY)
    CHECK_SD(1)
    CHECK_X(NV)
    CASE(18)                        /* a flag accrued by a conversion to integer */
    li a2, 0x3fc00000               /* 1.5 */
    fmv.w.x fa4, a2
    csrwi fflags, 0
    SET_FS(MSTATUS_FS_CLEAN)
    fcvt.w.s a1, fa4, rtz           /* NX */
    CHECK_FS(MSTATUS_FS_DIRTY)
    CHECK_X(NX)
#endif
    CASE(19)                        /* fflags written */
    SET_FS(MSTATUS_FS_CLEAN)
    csrwi fflags, 0x1f
    CHECK_FS(MSTATUS_FS_DIRTY)
    CASE(20)                        /* frm written */
    SET_FS(MSTATUS_FS_CLEAN)
    li a1, 2
    csrw frm, a1
    CHECK_FS(MSTATUS_FS_DIRTY)
    CASE(21)                        /* fcsr written */
    SET_FS(MSTATUS_FS_CLEAN)
    csrwi fcsr, 0
    CHECK_FS(MSTATUS_FS_DIRTY)
    CASE(22)                        /* f registers written */
    SET_FS(MSTATUS_FS_CLEAN)
    flw fa5, 0(s0)
    CHECK_FS(MSTATUS_FS_DIRTY)
    SET_FS(MSTATUS_FS_CLEAN)
    fld fa5, 8(s0)
    CHECK_FS(MSTATUS_FS_DIRTY)
    SET_FS(MSTATUS_FS_CLEAN)
    fadd.s fa5, fa1, fa2            /* exact: only the register changes */
    CHECK_FS(MSTATUS_FS_DIRTY)
    SET_FS(MSTATUS_FS_CLEAN)
    fmv.d.x fa5, zero
    CHECK_FS(MSTATUS_FS_DIRTY)
    SET_FS(MSTATUS_FS_CLEAN)
    fcvt.s.w fa5, a1
    CHECK_FS(MSTATUS_FS_DIRTY)
    SET_FS(MSTATUS_FS_CLEAN)
    fsgnjn.d fa5, fa3, fa3
    CHECK_FS(MSTATUS_FS_DIRTY)
    SET_FS(MSTATUS_FS_CLEAN)
    fmadd.d fa5, fa3, fa3, fa3
    CHECK_FS(MSTATUS_FS_DIRTY)
    SET_FS(MSTATUS_FS_CLEAN)
    .option push
    .option rvc
    mv s1, sp
    mv sp, s0
    c.fldsp fa5, 8(sp)
    mv sp, s1
    .option pop
    CHECK_FS(MSTATUS_FS_DIRTY)
    CHECK_SD(1)
    CHECK_SFS(MSTATUS_FS_DIRTY)
    CHECK_SSD(1)

    /* ---- fcsr, frm and fflags ---- */
    CASE(23)
    li a1, 0x9f                     /* frm = 4 (RMM), flags all set */
    csrw fcsr, a1
    csrr a0, fcsr
    CHECK(a0, 0x9f)
    csrr a0, frm
    CHECK(a0, 4)
    csrr a0, fflags
    CHECK(a0, 0x1f)
    CASE(24)                        /* bits 31:8 (and up) ignore writes, read 0 */
    li a1, -1
    csrw fcsr, a1
    csrr a0, fcsr
    CHECK(a0, 0xff)
    li a1, 0xffffff00
    csrw fcsr, a1
    csrr a0, fcsr
    CHECK(a0, 0)
    CASE(25)                        /* frm takes rs1[2:0], fflags rs1[4:0] */
    li a1, 0xf9                     /* ...11111001 */
    csrw frm, a1
    csrr a0, frm
    CHECK(a0, 1)
    csrr a0, fcsr
    CHECK(a0, 1 << 5)
    li a1, 0xe5                     /* ...11100101 */
    csrw fflags, a1
    csrr a0, fflags
    CHECK(a0, 0x05)
    csrr a0, fcsr
    CHECK(a0, (1 << 5) | 0x05)
    CASE(26)                        /* the swaps return the old field */
    li a1, 3
    fsrm a0, a1
    CHECK(a0, 1)
    fsflags a0, zero
    CHECK(a0, 0x05)
    csrr a0, fcsr
    CHECK(a0, 3 << 5)
    fsrmi a0, 0
    CHECK(a0, 3)
    CASE(27)                        /* set and clear bits */
    csrsi fflags, 0x12
    csrsi fflags, 0x01
    csrr a0, fflags
    CHECK(a0, 0x13)
    csrci fflags, 0x10
    csrr a0, fflags
    CHECK(a0, 0x03)
    csrsi frm, 4
    csrr a0, fcsr
    CHECK(a0, (4 << 5) | 0x03)
    CASE(28)                        /* operations accrue into fcsr, frm kept */
    csrwi fflags, 0
    li a1, 0x3f800000
    fmv.w.x fa1, a1
    fmv.w.x fa2, zero
    fdiv.s fa0, fa1, fa2, rne       /* DZ */
    csrr a0, fcsr
    CHECK(a0, (4 << 5) | DZ)
    csrr a0, frm
    CHECK(a0, 4)
    csrwi fcsr, 0

    /* ---- reserved rounding modes ---- */
    CASE(29)                        /* rm = 101 / 110 in the instruction */
    li a1, 0x3f800000
    fmv.w.x fa1, a1
    fmv.w.x fa2, a1
    li a1, 0x1234
    fmv.d.x fa0, a1
    csrwi fflags, 0
    ILLEGAL(.insn r 0x53, 5, 0x00, fa0, fa1, fa2)       /* fadd.s, rm 101 */
    ILLEGAL(.insn r 0x53, 6, 0x00, fa0, fa1, fa2)       /* fadd.s, rm 110 */
    ILLEGAL(.insn r 0x53, 5, 0x09, fa0, fa1, fa2)       /* fmul.d */
    ILLEGAL(.insn r 0x53, 6, 0x2c, fa0, fa1, f0)        /* fsqrt.s */
    ILLEGAL(.insn r4 0x43, 5, 0, fa0, fa1, fa2, fa3)    /* fmadd.s */
    ILLEGAL(.insn r4 0x4f, 6, 1, fa0, fa1, fa2, fa3)    /* fnmadd.d */
    ILLEGAL(.insn r 0x53, 6, 0x60, a0, fa1, x0)         /* fcvt.w.s */
    ILLEGAL(.insn r 0x53, 5, 0x68, fa0, a1, x0)         /* fcvt.s.w */
    ILLEGAL(.insn r 0x53, 5, 0x20, fa0, fa1, f1)        /* fcvt.s.d */
    ILLEGAL(.insn r 0x53, 5, 0x21, fa0, fa1, f0)        /* fcvt.d.s (exact) */
    ILLEGAL(.insn r 0x53, 6, 0x69, fa0, a1, x0)         /* fcvt.d.w (exact) */
    CASE(30)                        /* nothing was written */
    fmv.x.d a0, fa0
    CHECK(a0, 0x1234)
    CHECK_X(0)
    CASE(31)                        /* rm = DYN with frm = 101, 110, 111 */
    csrwi frm, 5
    ILLEGAL(fadd.s fa0, fa1, fa2, dyn)
    ILLEGAL(fsqrt.d fa0, fa1, dyn)
    ILLEGAL(fmadd.d fa0, fa1, fa2, fa3, dyn)
    ILLEGAL(fcvt.w.s a0, fa1, dyn)
    ILLEGAL(fcvt.s.l fa0, a1, dyn)
    ILLEGAL(.insn r 0x53, 7, 0x21, fa0, fa1, f0)        /* fcvt.d.s, dyn */
    CASE(32)
    csrwi frm, 6
    ILLEGAL(fsub.d fa0, fa1, fa2, dyn)
    ILLEGAL(fcvt.s.d fa0, fa1, dyn)
    ILLEGAL(fnmsub.s fa0, fa1, fa2, fa3, dyn)
    CASE(33)
    csrwi frm, 7
    ILLEGAL(fdiv.s fa0, fa1, fa2, dyn)
    ILLEGAL(fcvt.lu.d a0, fa1, dyn)
    ILLEGAL(.insn r 0x53, 7, 0x69, fa0, a1, x0)         /* fcvt.d.w, dyn */
    CASE(34)                        /* frm holds the value; nothing was written */
    csrr a0, frm
    CHECK(a0, 7)
    fmv.x.d a0, fa0
    CHECK(a0, 0x1234)
    CHECK_X(0)
    CASE(35)                        /* a static mode still works with frm = 7 */
    fadd.s fa0, fa1, fa2, rne
    fmv.x.d a0, fa0
    CHECK(a0, BOX(0x40000000))
    CASE(36)                        /* instructions without rm ignore frm */
    fsgnjn.s fa0, fa1, fa2
    fmv.x.d a0, fa0
    CHECK(a0, BOX(0xbf800000))
    fmin.s fa0, fa1, fa2
    feq.s a0, fa1, fa2
    CHECK(a0, 1)
    fclass.s a0, fa1
    CHECK(a0, 1 << 6)
    flw fa0, 0(s0)
    fmv.x.w a0, fa1
    CHECK(a0, 0x3f800000)
    csrwi frm, 0

    TEST_END

    .data
    .balign 8
buf: .dword 0, 0, 0, 0

/* Start-up code of the guest benchmarks: a stack per hart (only hart 0
 * runs the benchmark; others park), then main(); main's return value is
 * the result: 0 passes. It is reported through the HTIF tohost word
 * (rivet) and the SiFive test finisher (QEMU).
 *
 * The floating-point unit is switched on (mstatus.FS = Initial; the hart
 * resets with FS = Off) and fcsr cleared (round to nearest even) before main.
 *
 * Built with -DSV39 (programs named *-sv39), it first turns on Sv39 paging
 * and runs main() in S-mode: the first 64 MiB of RAM (the program and its
 * data) mapped with 4 KiB pages, identity, through 32 leaf tables, and the
 * devices below 1 GiB with one gigapage, all with A and D set; a PMP entry
 * grants S-mode everything. */
#ifdef SV39
/* Leaf tables: each maps 2 MiB; 32 map 64 MiB. */
#define L0_TABLES 32
#endif

    .section .text.start
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    csrr t0, mhartid
    bnez t0, park
    la sp, __stack_top
    li t0, 1 << 13              /* mstatus.FS = Initial */
    csrs mstatus, t0
    csrw fcsr, zero
#ifdef SV39
    /* Leaf PTE flags: V R W X A D. */
    li t6, 0xcf
    /* root[0]: the devices' gigapage at 0 (PPN 0). */
    la t0, pt_root
    sd t6, 0(t0)
    /* root[2] (0x8000_0000) -> pt_l1 */
    la t1, pt_l1
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 16(t0)
    /* pt_l1[j] -> leaf table j (pt_l0 + j * 4 KiB), j = 0..L0_TABLES-1 */
    la t0, pt_l1
    la t1, pt_l0
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    li t2, L0_TABLES
    li t3, 1 << 10              /* one page in PTE units */
3:  sd t1, 0(t0)
    add t1, t1, t3
    addi t0, t0, 8
    addi t2, t2, -1
    bnez t2, 3b
    /* leaf PTE i (pt_l0 as one array) -> 0x8000_0000 + i * 4 KiB */
    la t0, pt_l0
    li t1, 0x80000000 >> 2      /* PPN << 10 of the first page */
    li t2, 512 * L0_TABLES
1:  or t4, t1, t6
    sd t4, 0(t0)
    add t1, t1, t3
    addi t0, t0, 8
    addi t2, t2, -1
    bnez t2, 1b
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f                 /* NAPOT, R W X */
    csrw pmpcfg0, t0
    la t0, pt_root
    srli t0, t0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11              /* MPP = S */
    csrs mstatus, t0
    la t0, 2f
    csrw mepc, t0
    mret
2:
#endif
    call main
    /* tohost: 1 = pass, (code << 1) | 1 = fail */
    slli t0, a0, 1
    ori t0, t0, 1
    la t1, tohost
    sd t0, 0(t1)
    li t1, 0x100000
    li t2, 0x5555
    beqz a0, 1f
    slli t2, a0, 16
    li t3, 0x3333
    or t2, t2, t3
1:  sw t2, 0(t1)
park:
    wfi
    j park

#ifdef SV39
    .section .bss
    .balign 4096
pt_root: .space 4096
pt_l1:   .space 4096
pt_l0:   .space 4096 * L0_TABLES
#endif

    .section .tohost, "aw", @progbits
    .balign 64
    .globl tohost
tohost: .dword 0
    .balign 64
    .globl fromhost
fromhost: .dword 0

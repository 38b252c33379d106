/* interp-goto: a register-machine interpreter with threaded dispatch: GCC's
 * labels as values, every handler ending in its own `goto *table[op]`
 * (one indirect jump per handler, not one shared switch as in `bytecode`).
 * Fixed 32-bit instructions (opcode 8 bits, two 4-bit registers, then a
 * third register or a signed 16-bit immediate), 16 64-bit registers, a
 * word-addressed data memory and a return stack. A small assembler builds
 * the program at start-up: each of REPEAT rounds runs
 *
 *  - the sieve of Eratosthenes below SIEVE_N (count and sum of the primes),
 *  - an insertion sort of SORT_N xorshift values made by the program
 *    itself (a weighted sum of the sorted array; the generator's state
 *    carries over from round to round),
 *  - the sum of gcd(i, j) for 1 <= i, j <= GCD_N (Euclid, remainders),
 *  - fib(FIB_N) by recursion (CALL/RET, a stack in data memory).
 *
 * Self-check: the hash of the values the program outputs must equal
 * EXPECTED, computed on the host by interp-goto-host.c from this same code;
 * the host program also checks it against the same computations in C. */

#include "bench.h"

#define SIEVE_N 8000
#define SORT_N 300
#define GCD_N 60
#define FIB_N 18
#define REPEAT 40

#define MEM 8192 /* data words; a power of two */
#define RSTACK 256 /* return addresses; a power of two */

enum {
    HALT, LI, MOV, ADD, SUB, MUL, REMU, AND, XOR, ADDI, SHLI, SHRI,
    LD, ST, BEQ, BNE, BLT, BGE, JMP, CALL, RET, OUT, N_OPS,
};

/* The interpreter. */

static uint32_t prog[1024];
static uint64_t mem[MEM];
static uint32_t rstack[RSTACK];

/* Runs prog from 0; folds every OUT into the returned hash. Returns 0 on an
 * unknown opcode or a return-stack overflow. */
static uint64_t run(void)
{
    static const void *const table[32] = {
        [HALT] = &&op_halt, [LI] = &&op_li, [MOV] = &&op_mov, [ADD] = &&op_add,
        [SUB] = &&op_sub, [MUL] = &&op_mul, [REMU] = &&op_remu, [AND] = &&op_and,
        [XOR] = &&op_xor, [ADDI] = &&op_addi, [SHLI] = &&op_shli, [SHRI] = &&op_shri,
        [LD] = &&op_ld, [ST] = &&op_st, [BEQ] = &&op_beq, [BNE] = &&op_bne,
        [BLT] = &&op_blt, [BGE] = &&op_bge, [JMP] = &&op_jmp, [CALL] = &&op_call,
        [RET] = &&op_ret, [OUT] = &&op_out,
        [N_OPS] = &&op_bad, [N_OPS + 1] = &&op_bad, [N_OPS + 2] = &&op_bad,
        [N_OPS + 3] = &&op_bad, [N_OPS + 4] = &&op_bad, [N_OPS + 5] = &&op_bad,
        [N_OPS + 6] = &&op_bad, [N_OPS + 7] = &&op_bad, [N_OPS + 8] = &&op_bad,
        [N_OPS + 9] = &&op_bad,
    };
    uint64_t r[16];
    uint64_t h = 1;
    uint32_t pc = 0, rsp = 0, insn;

#define RA r[(insn >> 8) & 15]
#define RB r[(insn >> 12) & 15]
#define RC r[(insn >> 16) & 15]
#define IMM ((int64_t)(int16_t)(insn >> 16))
#define AT(x) mem[(x) & (MEM - 1)]
#define NEXT                        \
    do {                            \
        insn = prog[pc++ & 1023];   \
        goto *table[insn & 31];     \
    } while (0)
#define BRANCH(cond)                \
    do {                            \
        if (cond)                   \
            pc += (uint32_t)IMM;    \
        NEXT;                       \
    } while (0)

    for (int i = 0; i < 16; i++)
        r[i] = 0;
    NEXT;
op_halt:
    return h;
op_li:
    RA = (uint64_t)IMM;
    NEXT;
op_mov:
    RA = RB;
    NEXT;
op_add:
    RA = RB + RC;
    NEXT;
op_sub:
    RA = RB - RC;
    NEXT;
op_mul:
    RA = RB * RC;
    NEXT;
op_remu:
    /* As RISC-V's remu: x % 0 = x. */
    RA = RC ? RB % RC : RB;
    NEXT;
op_and:
    RA = RB & RC;
    NEXT;
op_xor:
    RA = RB ^ RC;
    NEXT;
op_addi:
    RA = RB + (uint64_t)IMM;
    NEXT;
op_shli:
    RA = RB << (IMM & 63);
    NEXT;
op_shri:
    RA = RB >> (IMM & 63);
    NEXT;
op_ld:
    RA = AT(RB + (uint64_t)IMM);
    NEXT;
op_st:
    AT(RB + (uint64_t)IMM) = RA;
    NEXT;
op_beq:
    BRANCH(RA == RB);
op_bne:
    BRANCH(RA != RB);
op_blt:
    BRANCH((int64_t)RA < (int64_t)RB);
op_bge:
    BRANCH((int64_t)RA >= (int64_t)RB);
op_jmp:
    pc += (uint32_t)IMM;
    NEXT;
op_call:
    if (rsp == RSTACK)
        return 0;
    rstack[rsp++] = pc;
    pc = (uint16_t)(insn >> 16);
    NEXT;
op_ret:
    if (rsp == 0)
        return 0;
    pc = rstack[--rsp];
    NEXT;
op_out:
    h = mix64(h, RA);
    NEXT;
op_bad:
    return 0;
#undef RA
#undef RB
#undef RC
#undef IMM
#undef AT
#undef NEXT
#undef BRANCH
}

/* The assembler. Branches and jumps are relative to the next instruction. */

static uint32_t at;

static void emit(int op, int a, int b, int imm)
{
    prog[at++] = (uint32_t)op | (uint32_t)a << 8 | (uint32_t)b << 12 | (uint32_t)(uint16_t)imm << 16;
}

/* op a, b, c (a = b op c) */
static void rrr(int op, int a, int b, int c)
{
    emit(op, a, b, c);
}

/* A branch or jump to an earlier label. */
static void back(int op, int a, int b, uint32_t label)
{
    emit(op, a, b, (int)label - (int)(at + 1));
}

/* A branch or jump to a later label: returns what to patch(). */
static uint32_t fwd(int op, int a, int b)
{
    emit(op, a, b, 0);
    return at - 1;
}

static void patch(uint32_t where)
{
    prog[where] = (prog[where] & 0xffff) | (uint32_t)(uint16_t)(at - (where + 1)) << 16;
}

/* Registers kept across the whole program. */
enum { ZERO = 15, ONE = 14, SP = 13, TWO = 12, ROUNDS = 11, SEED = 10 };

static void assemble(void)
{
    at = 0;
    emit(LI, ZERO, 0, 0);
    emit(LI, ONE, 0, 1);
    emit(LI, TWO, 0, 2);
    emit(LI, ROUNDS, 0, REPEAT);
    emit(LI, SEED, 0, 12345);
    uint32_t again = at;

    /* Sieve: mem[0..SIEVE_N) flags; r1 i, r2 N, r3 count, r4 sum. */
    emit(LI, 2, 0, SIEVE_N);
    emit(LI, 1, 0, 0);
    uint32_t clear = at;
    emit(ST, ZERO, 1, 0);
    emit(ADDI, 1, 1, 1);
    back(BLT, 1, 2, clear);
    emit(LI, 1, 0, 2);
    emit(LI, 3, 0, 0);
    emit(LI, 4, 0, 0);
    uint32_t outer = at;
    emit(LD, 5, 1, 0);
    uint32_t composite = fwd(BNE, 5, ZERO);
    emit(ADDI, 3, 3, 1);
    rrr(ADD, 4, 4, 1);
    rrr(MUL, 6, 1, 1);
    uint32_t no_marks = fwd(BGE, 6, 2);
    uint32_t mark = at;
    emit(ST, ONE, 6, 0);
    rrr(ADD, 6, 6, 1);
    back(BLT, 6, 2, mark);
    patch(composite);
    patch(no_marks);
    emit(ADDI, 1, 1, 1);
    back(BLT, 1, 2, outer);
    emit(OUT, 3, 0, 0);
    emit(OUT, 4, 0, 0);

    /* Sort: mem[0..SORT_N) = xorshift values & 0x7fff, insertion-sorted;
     * r1 i, r2 N, r5 v, r6 j, r8 a[j]. */
    emit(LI, 2, 0, SORT_N);
    emit(LI, 1, 0, 0);
    emit(LI, 9, 0, 0x7fff);
    uint32_t fill = at;
    emit(SHLI, 7, SEED, 13);
    rrr(XOR, SEED, SEED, 7);
    emit(SHRI, 7, SEED, 7);
    rrr(XOR, SEED, SEED, 7);
    emit(SHLI, 7, SEED, 17);
    rrr(XOR, SEED, SEED, 7);
    rrr(AND, 7, SEED, 9);
    emit(ST, 7, 1, 0);
    emit(ADDI, 1, 1, 1);
    back(BLT, 1, 2, fill);
    emit(LI, 1, 0, 1);
    uint32_t sort_outer = at;
    uint32_t sorted = fwd(BGE, 1, 2);
    emit(LD, 5, 1, 0);
    emit(ADDI, 6, 1, -1);
    uint32_t inner = at;
    uint32_t place1 = fwd(BLT, 6, ZERO);
    emit(LD, 8, 6, 0);
    uint32_t place2 = fwd(BGE, 5, 8);
    emit(ST, 8, 6, 1);
    emit(ADDI, 6, 6, -1);
    back(JMP, 0, 0, inner);
    patch(place1);
    patch(place2);
    emit(ST, 5, 6, 1);
    emit(ADDI, 1, 1, 1);
    back(JMP, 0, 0, sort_outer);
    patch(sorted);
    /* sum of a[i] * (i + 1) */
    emit(LI, 1, 0, 0);
    emit(LI, 3, 0, 0);
    uint32_t weigh = at;
    emit(LD, 5, 1, 0);
    emit(ADDI, 1, 1, 1);
    rrr(MUL, 5, 5, 1);
    rrr(ADD, 3, 3, 5);
    back(BLT, 1, 2, weigh);
    emit(OUT, 3, 0, 0);

    /* GCD sum: r1 i, r2 j, r3 limit, r4 sum, r5 a, r6 b, r7 t. */
    emit(LI, 3, 0, GCD_N + 1);
    emit(LI, 4, 0, 0);
    emit(LI, 1, 0, 1);
    uint32_t gi = at;
    emit(LI, 2, 0, 1);
    uint32_t gj = at;
    emit(MOV, 5, 1, 0);
    emit(MOV, 6, 2, 0);
    uint32_t euclid = at;
    uint32_t done = fwd(BEQ, 6, ZERO);
    rrr(REMU, 7, 5, 6);
    emit(MOV, 5, 6, 0);
    emit(MOV, 6, 7, 0);
    back(JMP, 0, 0, euclid);
    patch(done);
    rrr(ADD, 4, 4, 5);
    emit(ADDI, 2, 2, 1);
    back(BLT, 2, 3, gj);
    emit(ADDI, 1, 1, 1);
    back(BLT, 1, 3, gi);
    emit(OUT, 4, 0, 0);

    /* fib(FIB_N): argument r1, result r0; the stack grows down from MEM. */
    emit(LI, SP, 0, 0);
    emit(LI, 1, 0, FIB_N);
    uint32_t call_fib = at;
    emit(CALL, 0, 0, 0);
    emit(OUT, 0, 0, 0);

    emit(ADDI, ROUNDS, ROUNDS, -1);
    uint32_t finished = fwd(BEQ, ROUNDS, ZERO);
    back(JMP, 0, 0, again);
    patch(finished);
    emit(HALT, 0, 0, 0);

    /* fib: r1 n -> r0; saves n and fib(n - 1) on the data stack. */
    uint32_t fib = at;
    prog[call_fib] |= fib << 16;
    uint32_t base = fwd(BLT, 1, TWO);
    emit(ADDI, SP, SP, -2);
    emit(ST, 1, SP, 0);
    emit(ADDI, 1, 1, -1);
    emit(CALL, 0, 0, (int)fib);
    emit(ST, 0, SP, 1);
    emit(LD, 1, SP, 0);
    emit(ADDI, 1, 1, -2);
    emit(CALL, 0, 0, (int)fib);
    emit(LD, 5, SP, 1);
    rrr(ADD, 0, 0, 5);
    emit(ADDI, SP, SP, 2);
    emit(RET, 0, 0, 0);
    patch(base);
    emit(MOV, 0, 1, 0);
    emit(RET, 0, 0, 0);
}

uint64_t interp_goto(void)
{
    assemble();
    return run();
}

/* The result, computed on the host by interp-goto-host.c. */
#define EXPECTED 0xfe4dd18b4ebcbca6ull

#ifndef HOST
int main(void)
{
    return interp_goto() == EXPECTED ? 0 : 1;
}
#endif

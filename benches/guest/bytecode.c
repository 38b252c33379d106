/* bytecode: a stack-machine bytecode interpreter (one-byte opcodes, 8- and
 * 16-bit operands, a switch in a loop, locals in call frames) running a
 * program assembled at start-up: the primes below PRIME_LIMIT by trial
 * division (count and sum), a recursive Fibonacci (FIB_N) through CALL and
 * RET, and the total Collatz steps of 1..COLLATZ_N; REPEAT times. Indirect
 * jumps, operand decoding and stack traffic: the classic interpreter loop.
 * Self-check: the hash of the values the program outputs must equal
 * EXPECTED, computed on the host by bytecode-host.c from this same code;
 * the host program also checks the outputs against the same three
 * computations written directly in C. */

#include "bench.h"

#define PRIME_LIMIT 12000
#define FIB_N 21
#define COLLATZ_N 3000
#define REPEAT 4

enum {
    HALT, PUSH, LOAD, STORE, ADD, SUB, MUL, DIV, MOD, LT, EQ, DUP, DROP,
    JMP, JZ, JNZ, CALL, RET, OUT, INC,
};

/* The interpreter. */

#define STACK 256
#define FRAMES 256
#define LOCALS 8 /* per frame */

static int64_t stack[STACK];
static int64_t locals[FRAMES * LOCALS];
static int32_t return_pc[FRAMES];

/* Runs code from pc 0; folds every OUT into the returned hash. Returns 0 on
 * a stack overflow or an unknown opcode. */
static uint64_t run(const uint8_t *code)
{
    int32_t pc = 0, sp = 0, frame = 0;
    int64_t *fp = locals;
    uint64_t h = 1;
    for (;;) {
        uint8_t op = code[pc++];
        switch (op) {
        case HALT:
            return h;
        case PUSH:
            stack[sp++] = (int16_t)(code[pc] | code[pc + 1] << 8);
            pc += 2;
            break;
        case LOAD:
            stack[sp++] = fp[code[pc++]];
            break;
        case STORE:
            fp[code[pc++]] = stack[--sp];
            break;
        case INC:
            fp[code[pc]] += (int8_t)code[pc + 1];
            pc += 2;
            break;
        case ADD:
            sp--;
            stack[sp - 1] += stack[sp];
            break;
        case SUB:
            sp--;
            stack[sp - 1] -= stack[sp];
            break;
        case MUL:
            sp--;
            stack[sp - 1] *= stack[sp];
            break;
        case DIV:
            sp--;
            stack[sp - 1] = stack[sp] ? stack[sp - 1] / stack[sp] : 0;
            break;
        case MOD:
            sp--;
            stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0;
            break;
        case LT:
            sp--;
            stack[sp - 1] = stack[sp - 1] < stack[sp];
            break;
        case EQ:
            sp--;
            stack[sp - 1] = stack[sp - 1] == stack[sp];
            break;
        case DUP:
            stack[sp] = stack[sp - 1];
            sp++;
            break;
        case DROP:
            sp--;
            break;
        case JMP:
            pc += 2 + (int16_t)(code[pc] | code[pc + 1] << 8);
            break;
        case JZ:
            if (stack[--sp] == 0)
                pc += 2 + (int16_t)(code[pc] | code[pc + 1] << 8);
            else
                pc += 2;
            break;
        case JNZ:
            if (stack[--sp] != 0)
                pc += 2 + (int16_t)(code[pc] | code[pc + 1] << 8);
            else
                pc += 2;
            break;
        case CALL: {
            /* CALL target16 nargs8: the arguments move from the stack into
             * the new frame's first locals. */
            if (frame + 1 >= FRAMES)
                return 0;
            int32_t target = code[pc] | code[pc + 1] << 8;
            int nargs = code[pc + 2];
            return_pc[frame++] = pc + 3;
            fp += LOCALS;
            for (int i = nargs - 1; i >= 0; i--)
                fp[i] = stack[--sp];
            pc = target;
            break;
        }
        case RET:
            pc = return_pc[--frame];
            fp -= LOCALS;
            break;
        case OUT:
            h = mix64(h, (uint64_t)stack[--sp]);
            break;
        default:
            return 0;
        }
        if (sp < 0 || sp >= STACK - 1)
            return 0;
    }
}

/* A small assembler. Jumps are relative to the byte after the operand. */

static uint8_t code[1024];
static int32_t at;

static void emit(int op)
{
    code[at++] = (uint8_t)op;
}

static void emit8(int op, int a)
{
    emit(op);
    code[at++] = (uint8_t)a;
}

static void emit16(int op, int v)
{
    emit(op);
    code[at++] = (uint8_t)v;
    code[at++] = (uint8_t)(v >> 8);
}

/* INC slot8 delta8: local slot += delta (signed). */
static void emit_inc(int slot, int delta)
{
    emit8(INC, slot);
    code[at++] = (uint8_t)delta;
}

/* CALL target16 nargs8; returns where the target is, for a forward call. */
static int32_t emit_call(int32_t target, int nargs)
{
    emit16(CALL, target);
    code[at++] = (uint8_t)nargs;
    return at - 3;
}

/* A jump to a known (earlier) target. */
static void jump_to(int op, int32_t target)
{
    emit16(op, target - (at + 3));
}

/* A jump to a later target: returns where to patch() it. */
static int32_t jump_fwd(int op)
{
    emit16(op, 0);
    return at - 2;
}

static void patch(int32_t where)
{
    int v = at - (where + 2);
    code[where] = (uint8_t)v;
    code[where + 1] = (uint8_t)(v >> 8);
}

static void assemble(void)
{
    at = 0;
    /* main: locals 0 n, 1 d, 2 prime?, 3 count, 4 sum, 5 repeat */
    emit16(PUSH, REPEAT);
    emit8(STORE, 5);
    int32_t again = at;

    /* Primes below PRIME_LIMIT by trial division. */
    emit16(PUSH, 0);
    emit8(STORE, 3);
    emit16(PUSH, 0);
    emit8(STORE, 4);
    emit16(PUSH, 2);
    emit8(STORE, 0);
    int32_t outer = at;
    emit8(LOAD, 0);
    emit16(PUSH, PRIME_LIMIT);
    emit(LT);
    int32_t outer_done = jump_fwd(JZ);
    emit16(PUSH, 2);
    emit8(STORE, 1);
    emit16(PUSH, 1);
    emit8(STORE, 2);
    int32_t inner = at;
    emit8(LOAD, 0); /* while d * d <= n, i.e. !(n < d * d) */
    emit8(LOAD, 1);
    emit8(LOAD, 1);
    emit(MUL);
    emit(LT);
    int32_t inner_done = jump_fwd(JNZ);
    emit8(LOAD, 0);
    emit8(LOAD, 1);
    emit(MOD);
    int32_t divides_not = jump_fwd(JNZ);
    emit16(PUSH, 0);
    emit8(STORE, 2);
    int32_t composite = jump_fwd(JMP);
    patch(divides_not);
    emit_inc(1, 1);
    jump_to(JMP, inner);
    patch(inner_done);
    patch(composite);
    emit8(LOAD, 2);
    int32_t not_prime = jump_fwd(JZ);
    emit_inc(3, 1);
    emit8(LOAD, 4);
    emit8(LOAD, 0);
    emit(ADD);
    emit8(STORE, 4);
    patch(not_prime);
    emit_inc(0, 1);
    jump_to(JMP, outer);
    patch(outer_done);
    emit8(LOAD, 3);
    emit(OUT);
    emit8(LOAD, 4);
    emit(OUT);

    /* fib(FIB_N), recursively. */
    emit16(PUSH, FIB_N);
    int32_t call_fib = emit_call(0, 1);
    emit(OUT);

    /* Collatz: locals 0 i, 1 x, 3 steps. */
    emit16(PUSH, 0);
    emit8(STORE, 3);
    emit16(PUSH, 1);
    emit8(STORE, 0);
    int32_t col_outer = at;
    emit8(LOAD, 0);
    emit16(PUSH, COLLATZ_N + 1);
    emit(LT);
    int32_t col_done = jump_fwd(JZ);
    emit8(LOAD, 0);
    emit8(STORE, 1);
    int32_t col_inner = at;
    emit8(LOAD, 1);
    emit16(PUSH, 1);
    emit(EQ);
    int32_t col_reached = jump_fwd(JNZ);
    emit_inc(3, 1);
    emit8(LOAD, 1);
    emit16(PUSH, 2);
    emit(MOD);
    int32_t odd = jump_fwd(JNZ);
    emit8(LOAD, 1);
    emit16(PUSH, 2);
    emit(DIV);
    emit8(STORE, 1);
    jump_to(JMP, col_inner);
    patch(odd);
    emit8(LOAD, 1);
    emit16(PUSH, 3);
    emit(MUL);
    emit16(PUSH, 1);
    emit(ADD);
    emit8(STORE, 1);
    jump_to(JMP, col_inner);
    patch(col_reached);
    emit_inc(0, 1);
    jump_to(JMP, col_outer);
    patch(col_done);
    emit8(LOAD, 3);
    emit(OUT);

    emit_inc(5, -1);
    emit8(LOAD, 5);
    jump_to(JNZ, again);
    emit(HALT);

    /* fib(n): local 0 n. */
    int32_t fib = at;
    code[call_fib] = (uint8_t)fib;
    code[call_fib + 1] = (uint8_t)(fib >> 8);
    emit8(LOAD, 0);
    emit16(PUSH, 2);
    emit(LT);
    int32_t big = jump_fwd(JZ);
    emit8(LOAD, 0);
    emit(RET);
    patch(big);
    emit8(LOAD, 0);
    emit16(PUSH, 1);
    emit(SUB);
    emit_call(fib, 1);
    emit8(LOAD, 0);
    emit16(PUSH, 2);
    emit(SUB);
    emit_call(fib, 1);
    emit(ADD);
    emit(RET);
}

uint64_t bytecode_bench(void)
{
    assemble();
    return run(code);
}

/* The result, computed on the host by bytecode-host.c. */
#define EXPECTED 0x867b9ed90d957258ull

#ifndef HOST
int main(void)
{
    return bytecode_bench() == EXPECTED ? 0 : 1;
}
#endif

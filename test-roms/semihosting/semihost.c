/*
 * A bare-metal program on picolibc's semihosting library: it prints with
 * printf (SYS_WRITEC), reads a line of standard input through the ":tt"
 * handle (SYS_OPEN, SYS_READ), writes, reads back, renames and removes
 * files in the working directory (SYS_OPEN, SYS_WRITE, SYS_SEEK,
 * SYS_FLEN, SYS_READ, SYS_CLOSE, SYS_RENAME, SYS_REMOVE), prints its
 * command line (crt0-semihost: SYS_GET_CMDLINE) and exits with a code
 * given by its last argument (SYS_EXIT), with SYS_HEAPINFO,
 * SYS_ISERROR, SYS_ELAPSED, SYS_TICKFREQ and SYS_TMPNAM on the way (the
 * clocks' values differ between machines: only their properties print).
 *
 * Built by build.sh; frontend/tests/semihosting.rs runs it on rivet and on
 * QEMU 7.2 and compares what they did.
 */
#include <errno.h>
#include <semihost.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* picolibc's entry to the trap sequence: operation, parameter. */
extern uintptr_t sys_semihost(uintptr_t op, uintptr_t param);

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);

    /* Standard input, through the console handle. */
    FILE *tty = fopen(":tt", "r");
    char line[128];
    if (tty && fgets(line, sizeof line, tty))
        printf("stdin: %s", line);
    else
        printf("stdin: nothing\n");

    /* A file: write, append, read back. */
    FILE *f = fopen("data.txt", "w");
    if (!f) {
        printf("fopen w failed: %d\n", errno);
        return 3;
    }
    for (int i = 0; i < 100; i++)
        fprintf(f, "line %d of the file\n", i);
    fclose(f);
    f = fopen("data.txt", "a");
    fputs("appended\n", f);
    fclose(f);
    f = fopen("data.txt", "r");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fseek(f, 7, SEEK_SET);
    int c = fgetc(f);
    fclose(f);
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + (unsigned char)buf[i];
    printf("read %zu bytes, sum %lx, byte 7 '%c', last line %s", n, sum, c,
           strrchr(buf, '\n') ? strstr(buf, "appended") : "?");

    /* The raw calls: length, a bad handle, errors. */
    int h = sys_semihost_open("data.txt", SH_OPEN_R);
    printf("flen %lu istty %d\n", (unsigned long)sys_semihost_flen(h), sys_semihost_istty(h));
    sys_semihost_close(h);
    printf("close bad %d errno %d\n", sys_semihost_close(h), sys_semihost_errno());
    printf("open missing %d errno %d\n", sys_semihost_open("no-such-file", SH_OPEN_R),
           sys_semihost_errno());

    /* Rename and remove. */
    f = fopen("scratch.tmp", "w");
    fputs("temporary\n", f);
    fclose(f);
    printf("rename %d\n", sys_semihost_rename("scratch.tmp", "renamed.txt"));
    f = fopen("gone.tmp", "w");
    fclose(f);
    printf("remove %d\n", sys_semihost_remove("gone.tmp"));
    printf("remove again %d errno %d\n", sys_semihost_remove("gone.tmp"), sys_semihost_errno());

    /* SYS_HEAPINFO as the specification has it (a1 points to the block's
     * address; picolibc's own wrapper passes the block itself). */
    uintptr_t block[4] = {0};
    uintptr_t *at = block;
    printf("heapinfo %ld: heap %lx-%lx stack %lx-%lx\n", (long)sys_semihost(0x16, (uintptr_t)&at),
           (unsigned long)block[0], (unsigned long)block[1], (unsigned long)block[3],
           (unsigned long)block[2]);
    printf("iserror %d %d\n", sys_semihost_iserror(-1), sys_semihost_iserror(0));

    /* SYS_ELAPSED fills the doubleword a1 points to; twice, with work
     * between, the count does not go back. SYS_TICKFREQ: ticks a second. */
    uint64_t first = 0, second = 0;
    long e1 = (long)sys_semihost(0x30, (uintptr_t)&first);
    volatile unsigned spin = 0;
    for (int i = 0; i < 100000; i++)
        spin += i;
    long e2 = (long)sys_semihost(0x30, (uintptr_t)&second);
    long freq = (long)sys_semihost(0x31, 0);
    printf("elapsed %ld %ld, goes on %d, tickfreq positive %d\n", e1, e2, second >= first && second > 0,
           freq > 0);

    /* SYS_TMPNAM: a name the program can create, write and remove. */
    char tmp[256] = {0};
    uintptr_t tmpnam_block[3] = {(uintptr_t)tmp, 42, sizeof tmp};
    long t = (long)sys_semihost(0x0d, (uintptr_t)tmpnam_block);
    FILE *tf = t == 0 ? fopen(tmp, "w") : NULL;
    int wrote = tf != NULL && fputs("temporary\n", tf) >= 0;
    if (tf)
        fclose(tf);
    printf("tmpnam %ld, named %d, written %d, removed %d\n", t, tmp[0] != 0, wrote,
           t == 0 ? sys_semihost_remove(tmp) : -1);

    fflush(stdout);
    return argc > 1 ? atoi(argv[argc - 1]) : 0;
}

/*
 * virtio-blk-reset - what a guest writes to its disk outlives a reset of
 * the machine, as on QEMU (also with -snapshot, whose writes last as long
 * as the emulator).
 *
 * Drives the first virtio-blk device it finds in the eight virtio-mmio
 * slots (rivet and QEMU fill them from the highest address; virtio 1.2
 * §3.1.1, §4.2.3 and §5.2.6; modern transport). If sector 1 does not hold MAGIC,
 * this is the first boot: it writes MAGIC there and resets the machine
 * through the SiFive test finisher (0x7777). After the reset it reads
 * MAGIC back and passes. If the write was lost at the reset, every boot is
 * a first boot and the run goes on until the emulator's instruction limit.
 *
 * Not in a manifest: it needs a disk (frontend/tests/disk.rs gives it one).
 * QEMU 7.2 passes it with -snapshot too, given -global
 * virtio-mmio.force-legacy=false (its transports are legacy by default).
 *
 * Failures: 1 no virtio-blk device, 2 the device refused the
 * features, 3 the queue is too small, 4 a request failed.
 */
#include "rt.h"

const char rt_test_name[] = "virtio-blk-reset";

#define VIRTIO0 0x10001000ul
#define VIRTIO_STRIDE 0x1000ul
#define VIRTIO_SLOTS 8
#define FINISHER 0x100000ul

/* virtio-mmio registers (§4.2.2) */
#define MAGIC_VALUE 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4

/* device status bits (§2.1) */
#define ACKNOWLEDGE 1
#define DRIVER 2
#define DRIVER_OK 4
#define FEATURES_OK 8

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1

#define QSIZE 4
#define SECTOR 1
#define MAGIC 0x72697665745f6f6bul /* "ko_tevir" */

struct virtq_desc {
    unsigned long addr;
    unsigned int len;
    unsigned short flags;
    unsigned short next;
};

struct virtq_avail {
    unsigned short flags;
    unsigned short idx;
    unsigned short ring[QSIZE];
};

struct virtq_used {
    unsigned short flags;
    unsigned short idx;
    struct {
        unsigned int id;
        unsigned int len;
    } ring[QSIZE];
};

struct blk_header {
    unsigned int type;
    unsigned int reserved;
    unsigned long sector;
};

static struct virtq_desc desc[QSIZE] __attribute__((aligned(16)));
static struct virtq_avail avail __attribute__((aligned(2)));
static struct virtq_used used __attribute__((aligned(4)));
static struct blk_header header;
static unsigned long data[512 / 8];
static volatile unsigned char status;
/* The transport of the block device. */
static unsigned long base;

static void w32(unsigned long reg, unsigned int value)
{
    *(volatile unsigned int *)(base + reg) = value;
}

static unsigned int r32(unsigned long reg)
{
    return *(volatile unsigned int *)(base + reg);
}

static void w64(unsigned long low, unsigned long value)
{
    w32(low, (unsigned int)value);
    w32(low + 4, (unsigned int)(value >> 32));
}

/* §3.1.1 and §4.2.3.2: one queue of QSIZE entries. Returns 0 or a test
 * number. */
static int init(void)
{
    for (base = VIRTIO0; base < VIRTIO0 + VIRTIO_SLOTS * VIRTIO_STRIDE; base += VIRTIO_STRIDE)
        if (r32(MAGIC_VALUE) == 0x74726976 && r32(VERSION) == 2 && r32(DEVICE_ID) == 2)
            break;
    if (base == VIRTIO0 + VIRTIO_SLOTS * VIRTIO_STRIDE)
        return 1;
    w32(STATUS, 0);
    w32(STATUS, ACKNOWLEDGE);
    w32(STATUS, ACKNOWLEDGE | DRIVER);
    /* Only VIRTIO_F_VERSION_1 (bit 32). */
    w32(DEVICE_FEATURES_SEL, 0);
    w32(DRIVER_FEATURES_SEL, 1);
    w32(DRIVER_FEATURES, 1);
    w32(DRIVER_FEATURES_SEL, 0);
    w32(DRIVER_FEATURES, 0);
    w32(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
    if (!(r32(STATUS) & FEATURES_OK))
        return 2;
    w32(QUEUE_SEL, 0);
    if (r32(QUEUE_NUM_MAX) < QSIZE)
        return 3;
    w32(QUEUE_NUM, QSIZE);
    w64(QUEUE_DESC_LOW, (unsigned long)desc);
    w64(QUEUE_DRIVER_LOW, (unsigned long)&avail);
    w64(QUEUE_DEVICE_LOW, (unsigned long)&used);
    w32(QUEUE_READY, 1);
    w32(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    return 0;
}

/* One request of `type` on SECTOR with `data` (§5.2.6); waits for it.
 * Returns its status byte. */
static int request(unsigned int type)
{
    header.type = type;
    header.reserved = 0;
    header.sector = SECTOR;
    status = 0xff;
    desc[0] = (struct virtq_desc){(unsigned long)&header, sizeof header, VIRTQ_DESC_F_NEXT, 1};
    desc[1] = (struct virtq_desc){(unsigned long)data, sizeof data,
                                  VIRTQ_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0),
                                  2};
    desc[2] = (struct virtq_desc){(unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0};
    unsigned short seen = *(volatile unsigned short *)&used.idx;
    avail.ring[avail.idx % QSIZE] = 0;
    __asm__ volatile("fence rw, rw" ::: "memory");
    *(volatile unsigned short *)&avail.idx = avail.idx + 1;
    __asm__ volatile("fence rw, rw" ::: "memory");
    w32(QUEUE_NOTIFY, 0);
    while (*(volatile unsigned short *)&used.idx == seen)
        ;
    __asm__ volatile("fence rw, rw" ::: "memory");
    return status;
}

int test_main(void)
{
    int failed = init();
    if (failed)
        return failed;
    if (request(VIRTIO_BLK_T_IN) != 0)
        return 4;
    if (data[0] == MAGIC) {
        rt_puts("sector 1 kept what the first boot wrote\n");
        return 0;
    }
    for (unsigned i = 0; i < sizeof data / sizeof data[0]; i++)
        data[i] = MAGIC;
    if (request(VIRTIO_BLK_T_OUT) != 0)
        return 4;
    rt_puts("sector 1 written; resetting\n");
    *(volatile unsigned int *)FINISHER = 0x7777;
    for (;;)
        ;
}

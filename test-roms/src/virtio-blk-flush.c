/*
 * virtio-blk-flush - a guest flush makes what was written before it
 * durable, even if the emulator is killed right after.
 *
 * Drives the first virtio-blk device it finds (modern transport; virtio
 * 1.2 §3.1.1, §4.2.3, §5.2.6). It writes PATTERN(k) to sector k * 128 + 1
 * for k = 0..15 (one sector in each 64 KiB of the first MiB: a new qcow2
 * cluster each, with the default cluster size), sends VIRTIO_BLK_T_FLUSH,
 * reads the sixteen sectors back, checks them and prints "flushed". Then it
 * writes for ever, never flushing again, to sector c * 128 + 1 of clusters
 * c = 16..127 in turn (the disk must have 8 MiB), until the emulator is
 * killed: frontend/tests/disk.rs kills it with SIGKILL mid-write and checks
 * that the image holds the flushed sectors and that `qemu-img check` finds
 * no corruption (leaked clusters are allowed: qcow2's semantics).
 *
 * Not in a manifest: it needs a disk and never ends by itself.
 *
 * Failures: 1 no virtio-blk device, 2 the device refused the features,
 * 3 the queue is too small, 4 a request failed, 5 the flush feature is not
 * offered, 6 a sector read back differs from what was written.
 */
#include "rt.h"

const char rt_test_name[] = "virtio-blk-flush";

#define VIRTIO0 0x10001000ul
#define VIRTIO_STRIDE 0x1000ul
#define VIRTIO_SLOTS 8

/* virtio-mmio registers (§4.2.2) */
#define MAGIC_VALUE 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
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
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DEVICE_LOW 0x0a0

/* device status bits (§2.1) */
#define ACKNOWLEDGE 1
#define DRIVER 2
#define DRIVER_OK 4
#define FEATURES_OK 8

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

/* §5.2.3 and §5.2.6 */
#define VIRTIO_BLK_F_FLUSH (1u << 9)
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4

#define QSIZE 4
#define FLUSHED_SECTORS 16
#define CLUSTER_SECTORS 128
#define LAST_CLUSTER 128

/* The pattern of flushed sector k: its bytes spell "flush" and k. */
#define PATTERN(k) (0x00006873756c6600ul | ((unsigned long)(k) << 56) | 0x2a)

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

/* §3.1.1 and §4.2.3.2: one queue of QSIZE entries, VIRTIO_F_VERSION_1 and
 * VIRTIO_BLK_F_FLUSH. Returns 0 or a failure number. */
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
    w32(DEVICE_FEATURES_SEL, 0);
    if (!(r32(DEVICE_FEATURES) & VIRTIO_BLK_F_FLUSH))
        return 5;
    w32(DRIVER_FEATURES_SEL, 1);
    w32(DRIVER_FEATURES, 1);
    w32(DRIVER_FEATURES_SEL, 0);
    w32(DRIVER_FEATURES, VIRTIO_BLK_F_FLUSH);
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

/* One request of `type` on `sector` (with `data` unless a flush, §5.2.6);
 * waits for it. Returns its status byte. */
static int request(unsigned int type, unsigned long sector)
{
    header.type = type;
    header.reserved = 0;
    header.sector = sector;
    status = 0xff;
    desc[0] = (struct virtq_desc){(unsigned long)&header, sizeof header, VIRTQ_DESC_F_NEXT, 1};
    if (type == VIRTIO_BLK_T_FLUSH) {
        desc[1] = (struct virtq_desc){(unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0};
    } else {
        desc[1] = (struct virtq_desc){(unsigned long)data, sizeof data,
                                      VIRTQ_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0),
                                      2};
        desc[2] = (struct virtq_desc){(unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0};
    }
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

static void fill(unsigned long value)
{
    for (unsigned i = 0; i < sizeof data / sizeof data[0]; i++)
        data[i] = value;
}

int test_main(void)
{
    int failed = init();
    if (failed)
        return failed;
    for (unsigned k = 0; k < FLUSHED_SECTORS; k++) {
        fill(PATTERN(k));
        if (request(VIRTIO_BLK_T_OUT, k * CLUSTER_SECTORS + 1) != 0)
            return 4;
    }
    if (request(VIRTIO_BLK_T_FLUSH, 0) != 0)
        return 4;
    for (unsigned k = 0; k < FLUSHED_SECTORS; k++) {
        fill(0);
        if (request(VIRTIO_BLK_T_IN, k * CLUSTER_SECTORS + 1) != 0)
            return 4;
        for (unsigned i = 0; i < sizeof data / sizeof data[0]; i++)
            if (data[i] != PATTERN(k))
                return 6;
    }
    rt_puts("flushed\n");
    for (unsigned long round = 1;; round++) {
        for (unsigned c = FLUSHED_SECTORS; c < LAST_CLUSTER; c++) {
            fill(round << 8 | c);
            if (request(VIRTIO_BLK_T_OUT, c * CLUSTER_SECTORS + 1) != 0)
                return 4;
        }
    }
}

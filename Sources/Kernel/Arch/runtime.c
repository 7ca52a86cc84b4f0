/*
 * runtime.c: the C symbols Embedded Swift expects from its platform.
 *
 *   memset memcpy memmove memcmp     compiler-emitted block operations
 *   posix_memalign free              Swift's allocator hooks (class instances, arrays, strings)
 *   putchar                          print()
 *   arc4random_buf                   Hasher's per-boot seed (Dictionary, Set)
 *
 * The heap is a fixed arena in .bss with an address-ordered first-fit free list. Kernel
 * allocations happen at boot and in slow paths only; the hot paths (trap entry, scheduling,
 * page-table validation) are written not to allocate.
 */
#include <stddef.h>
#include <stdint.h>
#include "include/arch.h"

void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

void *memmove(void *d, const void *s, size_t n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  if (dp == sp || n == 0) return d;
  if (dp < sp) {
    while (n--) *dp++ = *sp++;
  } else {
    dp += n; sp += n;
    while (n--) *--dp = *--sp;
  }
  return d;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

/* ---- console ---- */

#define COM1 0x3F8

/* The second console: VGA text mode (80x25 at physical 0xB8000), enabled on BIOS boots
 * where the loader left text mode on. Serial stays the primary console. */
static volatile uint16_t *vga = 0;
static int vga_row = 0, vga_col = 0;

void console_vga_enable(uint64_t virtual_base) {
  vga = (volatile uint16_t *)virtual_base;
  for (int i = 0; i < 80 * 25; i++) vga[i] = 0x0720;
  vga_row = vga_col = 0;
}

static void vga_put(int c) {
  if (c == '\n') { vga_col = 0; vga_row++; }
  else if (c != '\r') {
    vga[vga_row * 80 + vga_col] = (uint16_t)(0x0700 | (c & 0xFF));
    if (++vga_col == 80) { vga_col = 0; vga_row++; }
  }
  if (vga_row == 25) {               /* scroll one line */
    for (int i = 0; i < 80 * 24; i++) vga[i] = vga[i + 80];
    for (int i = 80 * 24; i < 80 * 25; i++) vga[i] = 0x0720;
    vga_row = 24;
  }
}

static void serial_put(uint8_t c) {
  for (int spins = 0; spins < 100000; spins++)
    if (arch_inb(COM1 + 5) & 0x20) break;   /* transmitter holding register empty */
  arch_outb(COM1, c);
}

/* The framebuffer console is Swift (Sources/Kernel/Swift/Console/FramebufferConsole.swift). */
extern void bulkhead_console_mirror(int c);
static int framebuffer_mirror = 0;
void console_framebuffer_enable(void) { framebuffer_mirror = 1; }

int putchar(int c) {
  if (c == '\n') serial_put('\r');
  serial_put((uint8_t)c);
  if (vga) vga_put(c);
  if (framebuffer_mirror) bulkhead_console_mirror(c);
  return c;
}

/* ---- randomness for Hasher ---- */

void arc4random_buf(void *buf, size_t n) {
  static uint64_t state = 0;
  if (state == 0) state = arch_rdtsc() | 1;
  unsigned char *p = buf;
  while (n--) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;   /* xorshift64 */
    *p++ = (unsigned char)state;
  }
}

/* ---- heap ---- */

#define HEAP_SIZE (32u << 20)
#define HDR 16u
#define MIN_BLOCK 32u

typedef struct free_block { size_t size; struct free_block *next; } free_block;
typedef struct used_header { size_t size; size_t magic; } used_header;
#define USED_MAGIC 0xB01D0FF1CEull

static unsigned char heap[HEAP_SIZE] __attribute__((aligned(4096)));
static free_block *free_list = 0;
static int heap_ready = 0;
static size_t heap_in_use = 0;

static void heap_init(void) {
  free_list = (free_block *)heap;
  free_list->size = HEAP_SIZE;
  free_list->next = 0;
  heap_ready = 1;
}

static uintptr_t align_up(uintptr_t v, uintptr_t a) { return (v + a - 1) & ~(a - 1); }

/* Insert [b, b+size) into the address-ordered list and merge with its neighbours. */
static void free_insert(free_block *b) {
  free_block **link = &free_list;
  while (*link && *link < b) link = &(*link)->next;
  b->next = *link;
  *link = b;
  if (b->next && (unsigned char *)b + b->size == (unsigned char *)b->next) {
    b->size += b->next->size;
    b->next = b->next->next;
  }
  if (link != &free_list) {
    free_block *prev = (free_block *)((unsigned char *)link - offsetof(free_block, next));
    if ((unsigned char *)prev + prev->size == (unsigned char *)b) {
      prev->size += b->size;
      prev->next = b->next;
    }
  }
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (!heap_ready) heap_init();
  if (align < 16) align = 16;
  if (align & (align - 1)) return 22;            /* EINVAL */
  if (size > HEAP_SIZE) return 12;                /* ENOMEM */
  size = align_up(size ? size : 1, 16);

  for (free_block **link = &free_list; *link; link = &(*link)->next) {
    free_block *b = *link;
    uintptr_t start = (uintptr_t)b, end = start + b->size;
    uintptr_t payload = align_up(start + HDR, align);
    /* A leading remainder must be big enough to stay on the free list. */
    while (payload - HDR != start && payload - HDR - start < MIN_BLOCK) payload += align;
    if (payload + size > end) continue;

    free_block *next = b->next;
    uintptr_t hdr = payload - HDR;
    uintptr_t tail = payload + size;
    if (end - tail < MIN_BLOCK) tail = end;      /* too small to keep: give it to the caller */

    if (hdr != start) {                          /* keep the lead on the list */
      b->size = hdr - start;
      b->next = next;
      link = &b->next;
    } else {
      *link = next;
    }
    if (tail != end) {
      free_block *t = (free_block *)tail;
      t->size = end - tail;
      t->next = *link;
      *link = t;
    }
    used_header *h = (used_header *)hdr;
    h->size = tail - hdr;
    h->magic = USED_MAGIC;
    heap_in_use += h->size;
    *out = (void *)payload;
    return 0;
  }
  return 12;                                      /* ENOMEM */
}

void free(void *p) {
  if (!p) return;
  used_header *h = (used_header *)((unsigned char *)p - HDR);
  if (h->magic != USED_MAGIC) return;            /* not ours, or freed twice: refuse, don't corrupt */
  h->magic = 0;
  heap_in_use -= h->size;
  free_block *b = (free_block *)h;
  b->size = h->size;
  free_insert(b);
}

uint64_t kernel_heap_used(void) { return heap_in_use; }
uint64_t kernel_heap_size(void) { return HEAP_SIZE; }

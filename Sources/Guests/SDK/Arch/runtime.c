/*
 * runtime.c: the C symbols Embedded Swift expects from its platform, for a PV guest.
 *
 *   memset memcpy memmove memcmp     compiler-emitted block operations
 *   posix_memalign free              Swift's allocator hooks (a first-fit heap in .bss)
 *   putchar                          print(): line-buffered, flushed with console_io
 *   arc4random_buf                   Hasher's seed (Dictionary, Set)
 *
 * Guests are small and short-lived, so the heap is a bump allocator with a free list
 * of exact-size blocks: freed blocks are reused for requests of the same size class.
 */
#include <stddef.h>
#include <stdint.h>
#include "include/guest.h"

#define HYPERVISOR_console_io 18
#define CONSOLEIO_write 0

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

/* ---- console: one console_io(CONSOLEIO_write) per line ---- */

static char line[128];
static size_t line_len = 0;

void guest_console_flush(void) {
  if (line_len == 0) return;
  guest_hypercall(HYPERVISOR_console_io, CONSOLEIO_write, line_len, (uint64_t)line, 0, 0);
  line_len = 0;
}

int putchar(int c) {
  line[line_len++] = (char)c;
  if (c == '\n' || line_len == sizeof(line)) guest_console_flush();
  return c;
}

/* ---- randomness for Hasher: not cryptographic, only a per-boot seed ---- */

void arc4random_buf(void *buf, size_t n) {
  static uint64_t state = 0;
  if (state == 0) state = guest_rdtsc() | 1;
  unsigned char *p = buf;
  while (n--) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;   /* xorshift64 */
    *p++ = (unsigned char)state;
  }
}

/* ---- heap ---- */

#define HEAP_SIZE (1u << 20)
#define HDR 16u
#define CLASSES 24                      /* size classes 2^4 .. 2^27 */

typedef struct header { uint64_t size_class; uint64_t magic; } header;
typedef struct free_node { struct free_node *next; } free_node;
#define USED_MAGIC 0x6B1D6E57ull

static unsigned char heap[HEAP_SIZE] __attribute__((aligned(4096)));
static uintptr_t heap_top = 0;          /* bump pointer, offset into heap */
static free_node *free_lists[CLASSES];
static size_t heap_in_use = 0;

static unsigned size_class(size_t size) {
  unsigned c = 0;
  while (((size_t)16 << c) < size) c++;
  return c;
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (align < 16) align = 16;
  if (align & (align - 1)) return 22;                 /* EINVAL */
  unsigned c = size_class(size ? size : 1);
  if (c >= CLASSES) return 12;                        /* ENOMEM */
  size_t block = (size_t)16 << c;

  if (align == 16 && free_lists[c]) {                 /* reuse a freed block of this class */
    free_node *n = free_lists[c];
    free_lists[c] = n->next;
    ((header *)n - 1)->magic = USED_MAGIC;
    heap_in_use += block;
    *out = n;
    return 0;
  }
  uintptr_t base = (uintptr_t)heap;
  uintptr_t payload = (base + heap_top + HDR + align - 1) & ~(uintptr_t)(align - 1);
  if (payload + block > base + HEAP_SIZE) return 12;  /* ENOMEM */
  header *h = (header *)payload - 1;
  h->size_class = c;
  h->magic = USED_MAGIC;
  heap_top = payload + block - base;
  heap_in_use += block;
  *out = (void *)payload;
  return 0;
}

void free(void *p) {
  if (!p) return;
  header *h = (header *)p - 1;
  if (h->magic != USED_MAGIC) return;   /* not ours, or freed twice: refuse, don't corrupt */
  h->magic = 0;
  heap_in_use -= (size_t)16 << h->size_class;
  free_node *n = p;
  n->next = free_lists[h->size_class];
  free_lists[h->size_class] = n;
}

uint64_t guest_heap_used(void) { return heap_in_use; }
uint64_t guest_heap_size(void) { return HEAP_SIZE; }

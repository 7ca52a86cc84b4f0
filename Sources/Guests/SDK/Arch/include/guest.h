/*
 * guest.h: the instructions a Bulkhead PV guest needs that Swift cannot express, one
 * static inline helper each. Swift sees them through module.modulemap (module GuestArch).
 *
 * Hypercalls (x86-64 PV): call hypercall_page + 32*nr; arguments in rdi, rsi, rdx, r10,
 * r8; result in rax (negative Xen errno on failure). The stub's `syscall` clobbers rcx
 * and r11; Xen may clobber the argument registers, so they are all in-out here.
 */
#ifndef BULKHEAD_GUEST_H
#define BULKHEAD_GUEST_H
#include <stdint.h>
#include "xen_abi.h"

extern char hypercall_page[4096];

static inline int64_t guest_hypercall(uint32_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
                                      uint64_t a4, uint64_t a5) {
  register uint64_t r10 __asm__("r10") = a4;
  register uint64_t r8 __asm__("r8") = a5;
  uint64_t rax = (uint64_t)(hypercall_page + (uint64_t)nr * 32);
  __asm__ volatile("call *%%rax"
                   : "+a"(rax), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                   :
                   : "rcx", "r11", "memory");
  return (int64_t)rax;
}

/* Atomic bit operations on the shared-info bitmaps (Xen writes them concurrently). */
static inline int guest_test_and_clear_bit(uint64_t *word, uint32_t bit) {
  uint8_t old;
  __asm__ volatile("lock btrq %2, %0; setc %1" : "+m"(*word), "=q"(old) : "Ir"((uint64_t)bit) : "memory", "cc");
  return old;
}
static inline void guest_set_bit(uint64_t *word, uint32_t bit) {
  __asm__ volatile("lock btsq %1, %0" : "+m"(*word) : "Ir"((uint64_t)bit) : "memory", "cc");
}
static inline void guest_clear_bit(uint64_t *word, uint32_t bit) {
  __asm__ volatile("lock btrq %1, %0" : "+m"(*word) : "Ir"((uint64_t)bit) : "memory", "cc");
}
static inline uint64_t guest_xchg(uint64_t *p, uint64_t v) {
  __asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(*p) :: "memory");
  return v;
}

static inline void guest_barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void guest_mb(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void guest_pause(void) { __asm__ volatile("pause"); }
static inline uint64_t guest_rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
/* A PV guest cannot read cr3 (ring 3); it knows its page-table base from start_info. */

/* The first address past the image, and the stack (guest.ld, start.S). */
extern char __image_start[], __image_end[], guest_stack_top[];
static inline uint64_t guest_image_start(void) { return (uint64_t)__image_start; }
static inline uint64_t guest_image_end(void) { return (uint64_t)__image_end; }

/* Page-aligned .bss windows the SDK remaps onto hypervisor frames (start.S). */
extern char shared_info_window[4096];
extern char grant_table_window[4 * 4096];
static inline uint64_t guest_shared_info_window(void) { return (uint64_t)shared_info_window; }
static inline uint64_t guest_grant_table_window(void) { return (uint64_t)grant_table_window; }
static inline uint64_t guest_hypercall_page(void) { return (uint64_t)hypercall_page; }

/* Field addresses Swift cannot take without key paths. */
static inline const char *guest_start_info_magic(const struct xen_start_info *si) { return si->magic; }
static inline const int8_t *guest_start_info_cmdline(const struct xen_start_info *si) { return si->cmd_line; }

/* Exception entry stubs and probes (traps.S). guest_trap_entries[v] is the handler address
 * to give set_trap_table for vector v (0..19); every stub calls Swift's sdk_trap(frame). */
extern const uint64_t guest_trap_entries[20];
extern char guest_probes_start[], guest_probes_end[];
static inline uint64_t guest_trap_entry(uint32_t vector) { return vector < 20 ? guest_trap_entries[vector] : 0; }
static inline uint64_t guest_probe_area_start(void) { return (uint64_t)guest_probes_start; }
static inline uint64_t guest_probe_area_end(void) { return (uint64_t)guest_probes_end; }
/* Each probe runs one instruction and returns 0, or 0x100 | vector if it faulted (only once
 * Exceptions.install has set the trap table). */
uint64_t guest_probe_cli(void);
uint64_t guest_probe_sti(void);
uint64_t guest_probe_hlt(void);
uint64_t guest_probe_inb(void);
uint64_t guest_probe_outb(void);
uint64_t guest_probe_read_cr3(void);
uint64_t guest_probe_write_cr3(uint64_t root);
uint64_t guest_probe_wrmsr(uint32_t msr, uint32_t low);
uint64_t guest_probe_rdmsr(uint32_t msr);
uint64_t guest_probe_lgdt(const void *descriptor);
uint64_t guest_probe_lidt(const void *descriptor);
uint64_t guest_probe_invlpg(uint64_t va);
uint64_t guest_probe_wbinvd(void);
uint64_t guest_probe_ud2(void);
uint64_t guest_probe_int3(void);
uint64_t guest_probe_store64(uint64_t address, uint64_t value);
uint64_t guest_probe_load64(uint64_t address, uint64_t *out);
/* A hypercall by `syscall` directly, for any number (the page has stubs for 0..127 only). */
int64_t guest_raw_syscall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3);

/* Heap statistics (runtime.c). */
uint64_t guest_heap_used(void);
uint64_t guest_heap_size(void);
/* Flush the console line buffer (runtime.c); print() flushes at each newline. */
void guest_console_flush(void);
int putchar(int c);

#endif

/*
 * arch.h: every privileged x86-64 instruction the Swift kernel uses, one static inline
 * helper each. Swift sees them through module.modulemap (module KernelArch).
 * Nothing here keeps state; each helper is the instruction and nothing more.
 */
#ifndef BULKHEAD_ARCH_H
#define BULKHEAD_ARCH_H
#include <stdint.h>
#include "trapframe.h"

static inline void arch_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void arch_outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void arch_outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t arch_inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t arch_rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return ((uint64_t)hi << 32) | lo;
}
static inline void arch_wrmsr(uint32_t msr, uint64_t v) {
  __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t arch_read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t arch_read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t arch_read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t arch_read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void arch_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void arch_write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }

/* Descriptor-table registers take a 10-byte pseudo-descriptor: limit, then base. */
struct __attribute__((packed)) arch_dtr { uint16_t limit; uint64_t base; };
static inline void arch_lgdt(uint64_t base, uint16_t limit) {
  struct arch_dtr d = { limit, base };
  __asm__ volatile("lgdt %0" :: "m"(d) : "memory");
}
static inline void arch_lidt(uint64_t base, uint16_t limit) {
  struct arch_dtr d = { limit, base };
  __asm__ volatile("lidt %0" :: "m"(d) : "memory");
}
static inline void arch_ltr(uint16_t sel) { __asm__ volatile("ltr %0" :: "r"(sel)); }

/* Reload CS (through a far return) and the data segments after a new GDT is loaded. */
static inline void arch_reload_segments(uint16_t code, uint16_t data) {
  __asm__ volatile(
    "pushq %q0\n\t"
    "leaq 1f(%%rip), %%rax\n\t"
    "pushq %%rax\n\t"
    "lretq\n"
    "1:\n\t"
    "mov %w1, %%ds\n\t"
    "mov %w1, %%es\n\t"
    "mov %w1, %%ss\n\t"
    :: "r"((uint64_t)code), "r"(data) : "rax", "memory");
}

static inline void arch_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void arch_sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void arch_hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* sti;hlt is atomic: an interrupt pending at sti wakes the hlt instead of being lost. */
static inline void arch_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void arch_pause(void) { __asm__ volatile("pause"); }
static inline void arch_invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

static inline uint64_t arch_rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

typedef struct arch_cpuid_result { uint32_t eax, ebx, ecx, edx; } arch_cpuid_result;
static inline arch_cpuid_result arch_cpuid(uint32_t leaf, uint32_t subleaf) {
  arch_cpuid_result r;
  __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

/* Deliberate faults for the exception hardware-tests. */
static inline void arch_trigger_ud(void) { __asm__ volatile("ud2"); }
static inline void arch_trigger_breakpoint(void) { __asm__ volatile("int3"); }
static inline uint64_t arch_read_u64(uint64_t va) { return *(volatile uint64_t *)va; }
static inline uint16_t arch_inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t arch_inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t arch_mmio_read64(uint64_t va) { return *(volatile uint64_t *)va; }
static inline void arch_mmio_write64(uint64_t va, uint64_t v) { *(volatile uint64_t *)va = v; }

/* Volatile MMIO access: the compiler must neither merge nor drop device accesses. */
static inline uint32_t arch_mmio_read32(uint64_t va) { return *(volatile uint32_t *)va; }
static inline void arch_mmio_write32(uint64_t va, uint32_t v) { *(volatile uint32_t *)va = v; }

/* Linker-script and boot.S symbols. */
extern char __image_start[], __image_end[], __text_start[], __text_end[];
extern char __bss_start[], __bss_end[], __ksyms_start[], __ksyms_end[];
extern char boot_pml4[];
extern char isr_stubs[];
static inline uint64_t arch_image_start(void) { return (uint64_t)__image_start; }
static inline uint64_t arch_image_end(void) { return (uint64_t)__image_end; }
static inline uint64_t arch_text_start(void) { return (uint64_t)__text_start; }
static inline uint64_t arch_text_end(void) { return (uint64_t)__text_end; }
static inline uint64_t arch_ksyms_start(void) { return (uint64_t)__ksyms_start; }
static inline uint64_t arch_ksyms_end(void) { return (uint64_t)__ksyms_end; }
static inline uint64_t arch_isr_stub(int vector) { return (uint64_t)isr_stubs + 16 * (uint64_t)vector; }

/* runtime.c: the console all output goes through (serial, plus a mirror when set). */
int putchar(int c);

/* guest_entry.S */
uint64_t arch_enter_guest(TrapFrame *frame);
__attribute__((noreturn)) void arch_resume_host(uint64_t value);
extern char syscall_entry[];
extern uint64_t trap_stack_top;
static inline uint64_t arch_syscall_entry(void) { return (uint64_t)syscall_entry; }
static inline void arch_set_trap_stack(uint64_t top) { trap_stack_top = top; }

static inline void arch_write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void arch_clts(void) { __asm__ volatile("clts"); }
static inline void arch_write_fs_base(uint64_t v) { arch_wrmsr(0xC0000100, v); }
static inline void arch_write_gs_base(uint64_t v) { arch_wrmsr(0xC0000101, v); }
static inline void arch_write_kernel_gs_base(uint64_t v) { arch_wrmsr(0xC0000102, v); }
static inline void arch_flush_tlb(void) { arch_write_cr3(arch_read_cr3()); }

/* runtime.c */
void console_vga_enable(uint64_t virtual_base);
void console_framebuffer_enable(void);
uint64_t kernel_heap_used(void);
uint64_t kernel_heap_size(void);

#endif

/* The frame entry.S builds on the kernel stack for every interrupt and exception. */
#ifndef BULKHEAD_TRAPFRAME_H
#define BULKHEAD_TRAPFRAME_H
#include <stdint.h>

typedef struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector;
  uint64_t error_code;   /* the CPU's, or 0 for vectors that push none */
  /* pushed by the CPU */
  uint64_t rip, cs, rflags, rsp, ss;
} TrapFrame;

_Static_assert(sizeof(TrapFrame) == 176, "entry.S pushes exactly 176 bytes");

#endif

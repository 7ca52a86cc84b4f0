/*
 * traps.S: exception entry for a PV guest, and "probes" (single instructions that may fault).
 *
 * Exceptions. A PV guest has no IDT; set_trap_table names a handler per vector, and the
 * hypervisor enters it in ring 3 on the current stack with Xen's bounce frame:
 *
 *     rsp ->  rcx, r11, [error code], rip, cs, rflags, rsp, ss
 *
 * guest_trap_<n> pops rcx and r11 back into their registers (so every register holds its value
 * at the fault), pushes a zero error code for vectors without one, pushes the vector and the
 * general registers (struct guest_trap_frame, xen_abi.h) and calls sdk_trap(frame) in Swift.
 * sdk_trap may change any field, RIP included. The return is HYPERVISOR_iret: the stack is
 * { flags = 0, rip, cs, rflags, rsp, ss } and the iret stub of the hypercall page pushes rcx,
 * r11 and rax, then does `syscall` (it never returns here).
 *
 * Probes. `guest_probe_*` are 32-byte slots: `xor %eax,%eax; <instruction>; nop...; ret` with
 * the `ret` at offset 31. If the instruction faults, sdk_trap sees RIP inside the probe area,
 * sets rax = 0x100 | vector and RIP = the slot's `ret`, so the probe returns the fault
 * instead of the guest dying. A probe that does not fault returns 0.
 */
#include "include/memlayout.h"

#define HYPERVISOR_iret 23

    .section .text.traps, "ax"

/* Vectors 8, 10-14 and 17 push an error code; the others do not. */
.macro TRAP_NOERR n
    .globl guest_trap_\n
guest_trap_\n:
    popq %rcx
    popq %r11
    pushq $0
    pushq $\n
    jmp guest_trap_common
.endm
.macro TRAP_ERR n
    .globl guest_trap_\n
guest_trap_\n:
    popq %rcx
    popq %r11
    pushq $\n
    jmp guest_trap_common
.endm

    TRAP_NOERR 0
    TRAP_NOERR 1
    TRAP_NOERR 2
    TRAP_NOERR 3
    TRAP_NOERR 4
    TRAP_NOERR 5
    TRAP_NOERR 6
    TRAP_NOERR 7
    TRAP_ERR   8
    TRAP_NOERR 9
    TRAP_ERR   10
    TRAP_ERR   11
    TRAP_ERR   12
    TRAP_ERR   13
    TRAP_ERR   14
    TRAP_NOERR 15
    TRAP_NOERR 16
    TRAP_ERR   17
    TRAP_NOERR 18
    TRAP_NOERR 19

/* The handler addresses, indexed by vector (guest_trap_entry in guest.h). */
    .section .rodata.traps, "a"
    .balign 8
    .globl guest_trap_entries
guest_trap_entries:
    .quad guest_trap_0, guest_trap_1, guest_trap_2, guest_trap_3, guest_trap_4
    .quad guest_trap_5, guest_trap_6, guest_trap_7, guest_trap_8, guest_trap_9
    .quad guest_trap_10, guest_trap_11, guest_trap_12, guest_trap_13, guest_trap_14
    .quad guest_trap_15, guest_trap_16, guest_trap_17, guest_trap_18, guest_trap_19

    .section .text.traps, "ax"
guest_trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi                 /* sdk_trap(struct guest_trap_frame *) */
    movq %rsp, %rbx                 /* callee-saved: the frame, across the call */
    andq $-16, %rsp                 /* SysV: 16-byte aligned at the call */
    call sdk_trap
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp                  /* vector, error code */
    pushq $0                        /* iret flags: not in a syscall */
    jmp hypercall_page + HYPERVISOR_iret * 32

/* ---- probes ---- */

.macro PROBE_BEGIN name
    .balign 32
    .globl \name
\name:
    xorl %eax, %eax
.endm
.macro PROBE_END name
    .org \name + 31, 0x90
    ret
.endm
/* A one-instruction probe. Several instructions: PROBE_BEGIN, one per line, PROBE_END (a `;`
 * inside a macro argument would end the macro call). */
.macro PROBE name, insn:vararg
    PROBE_BEGIN \name
    \insn
    PROBE_END \name
.endm

    .section .text.probes, "ax"
    .balign 32
    .globl guest_probes_start
guest_probes_start:
PROBE guest_probe_cli, cli
PROBE guest_probe_sti, sti
PROBE guest_probe_hlt, hlt
PROBE guest_probe_inb, inb $0x80, %al
PROBE guest_probe_outb, outb %al, $0x80
PROBE guest_probe_read_cr3, movq %cr3, %rdx
PROBE guest_probe_write_cr3, movq %rdi, %cr3                 /* rdi: the new root */
PROBE_BEGIN guest_probe_wrmsr                                /* (msr, low 32 bits) */
    movl %edi, %ecx
    movl %esi, %eax
    xorl %edx, %edx
    wrmsr
    xorl %eax, %eax
PROBE_END guest_probe_wrmsr
PROBE_BEGIN guest_probe_rdmsr                                /* (msr) */
    movl %edi, %ecx
    rdmsr
    xorl %eax, %eax
PROBE_END guest_probe_rdmsr
PROBE guest_probe_lgdt, lgdt (%rdi)                           /* rdi: a 10-byte descriptor */
PROBE guest_probe_lidt, lidt (%rdi)
PROBE guest_probe_invlpg, invlpg (%rdi)
PROBE guest_probe_wbinvd, wbinvd
PROBE guest_probe_ud2, ud2
PROBE guest_probe_int3, int3
PROBE guest_probe_store64, movq %rsi, (%rdi)                  /* (address, value) */
PROBE_BEGIN guest_probe_load64                               /* (address, out) */
    movq (%rdi), %rdx
    movq %rdx, (%rsi)
PROBE_END guest_probe_load64
    .balign 32
    .globl guest_probes_end
guest_probes_end:

/* guest_raw_syscall(nr, a1, a2, a3): a hypercall by `syscall` itself, for numbers the
 * hypercall page has no stub for (>= 128). rcx and r11 are clobbered, as SysV allows. */
    .section .text.traps, "ax"
    .globl guest_raw_syscall
guest_raw_syscall:
    movq %rdi, %rax
    movq %rsi, %rdi
    movq %rdx, %rsi
    movq %rcx, %rdx
    xorl %r10d, %r10d
    xorl %r8d, %r8d
    syscall
    ret

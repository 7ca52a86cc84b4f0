/*
 * start.S: the first instruction of a PV guest.
 *
 * The domain builder enters _start in 64-bit mode, ring 3 (Xen PV x86-64 kernels run in
 * ring 3), with:
 *   rsi = virtual address of start_info      rsp = top of a 1-page boot stack
 *   event upcalls masked (vcpu_info.evtchn_upcall_mask = 1), other GPRs zero.
 * We move to our own 64 KiB stack in .bss, clear the direction flag and call Swift's
 * sdk_start(start_info). It never returns; if it does, ud2 traps (the guest has no trap
 * table yet, so Xen kills the domain, which is the right outcome).
 */
#include "include/memlayout.h"

    .section .text.start, "ax"
    .globl _start
    .type _start, @function
_start:
    cld
    leaq guest_stack_top(%rip), %rsp
    xorl %ebp, %ebp                 /* end of the frame-pointer chain */
    movq %rsi, %rdi                 /* sdk_start(start_info) */
    call sdk_start
1:  ud2
    jmp 1b
    .size _start, . - _start

    .section .bss.stack, "aw", @nobits
    .balign 16
guest_stack:
    .skip GUEST_STACK_SIZE
    .globl guest_stack_top
guest_stack_top:

/* Page-aligned windows that the SDK remaps onto hypervisor-provided frames
 * (update_va_mapping): the shared-info page and up to 4 grant-table frames. */
    .section .bss.windows, "aw", @nobits
    .balign 4096
    .globl shared_info_window
shared_info_window:
    .skip 4096
    .globl grant_table_window
grant_table_window:
    .skip 4 * 4096

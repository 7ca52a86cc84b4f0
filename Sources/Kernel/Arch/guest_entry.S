/*
 * guest_entry.S: the ways into and out of a deprivileged (ring 3) guest.
 *
 *   arch_enter_guest(frame)  save the hypervisor's callee-saved state, then load a TrapFrame
 *                            and iretq into the guest. "Returns" only via arch_resume_host.
 *   arch_resume_host(value)  abandon the trap stack and return `value` from arch_enter_guest.
 *   syscall_entry            the SYSCALL target (LSTAR): a guest hypercall. Builds the same
 *                            TrapFrame as an interrupt (vector 0x100) and joins trap_common.
 *
 * Single pCPU: one hypervisor context, one trap stack (TSS.RSP0 = trap_stack_top).
 */
#define GUEST_CS        0xe033      /* FLAT_RING3_CS64 (xen-x86_64.h) */
#define GUEST_SS        0xe02b      /* FLAT_RING3_SS64 */
#define VECTOR_SYSCALL  0x100
#define FLOOR_NR        0x7fff0000  /* measurement-only: syscall straight back with sysretq */

    .text
    .globl arch_enter_guest
arch_enter_guest:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    mov %rsp, host_rsp(%rip)
    mov %rdi, %rsp                  /* the frame is read as a stack: GPRs, vector, error, iret frame */
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
    add $16, %rsp
    iretq

    .globl arch_resume_host
arch_resume_host:
    cli
    mov host_rsp(%rip), %rsp
    mov %rdi, %rax
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

    .globl syscall_entry
    .align 16
syscall_entry:
    /* rcx = guest rip, r11 = guest rflags, rsp = guest rsp; IF, TF, DF, AC cleared by FMASK. */
    cmp $FLOOR_NR, %rax
    jne 1f
    /* The floor measurement: straight back, if the return address is canonical. SYSRET with a
     * non-canonical RCX faults in ring 0 on the guest's stack (CVE-2012-0217), so check. */
    mov %rcx, %rax
    shr $47, %rax
    jnz 1f
    mov $FLOOR_NR, %eax
    sysretq
1:  mov %rsp, syscall_guest_rsp(%rip)
    mov trap_stack_top(%rip), %rsp
    pushq $GUEST_SS
    pushq syscall_guest_rsp(%rip)
    pushq %r11
    pushq $GUEST_CS
    pushq %rcx
    pushq $0
    pushq $VECTOR_SYSCALL
    jmp trap_common

    .data
    .align 8
    .globl trap_stack_top
trap_stack_top:     .quad 0
host_rsp:           .quad 0
syscall_guest_rsp:  .quad 0

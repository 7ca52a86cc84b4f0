/*
 * entry.S: the 256 interrupt stubs and the common path into Swift.
 *
 * Every stub leaves the same frame (include/trapframe.h): the CPU's iret frame, an error
 * code (the CPU's, or 0 for vectors without one, so the layout never varies), the vector,
 * then the 15 general registers. 176 bytes in all, a multiple of 16, so the call into
 * Swift sees an ABI-aligned stack.
 */
    .text

/* 256 stubs, each exactly 16 bytes apart, so the stub for vector v is at
 * isr_stubs + 16 * v (arch_isr_stub). Two pushes and a jmp fit in 15 bytes. */
    .globl isr_stubs
    .align 16
isr_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    jmp trap_common
    .set vec, vec + 1
    .endr

    .globl trap_common
trap_common:
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
    mov %rsp, %rdi
    call bulkhead_trap
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
    add $16, %rsp                   /* vector and error code */
    iretq


/*
 * hypercall_page.S: one page the hypervisor fills with 128 stubs of 32 bytes at build
 * time (XEN_ELFNOTE_HYPERCALL_PAGE). Stub n is, for a 64-bit PV guest:
 *     mov $n, %eax ; syscall ; ret
 * Call `hypercall_page + 32*n` with arguments in rdi, rsi, rdx, r10, r8; the result
 * comes back in rax; rcx and r11 are clobbered (guest.h). We pre-fill the page with ud2
 * so a hypervisor that forgets to fill it makes the first hypercall trap loudly.
 */
    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
    .type hypercall_page, @object
hypercall_page:
    .fill 2048, 2, 0x0b0f           /* ud2 (0f 0b) */
    .size hypercall_page, 4096

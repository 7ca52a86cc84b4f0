/*
 * boot.S: from a Multiboot loader (32-bit protected mode, paging off) to Swift's kmain in
 * 64-bit long mode at the higher-half address.
 *
 * Both Multiboot1 (QEMU -kernel) and Multiboot2 (GRUB) headers are here. Both use the
 * "address fields" form, so the loaders never need to parse our ELF64 file.
 */
#include "memlayout.h"

#define PHYS(x) ((x) - KERNEL_VMA_BASE)

#define MB1_MAGIC   0x1BADB002
#define MB1_FLAGS   0x00010003      /* bit 0 align modules, bit 1 memory info, bit 16 address fields */
#define MB2_MAGIC   0xE85250D6

#define COM1        0x3F8
#define DEBUG_EXIT  0xF4
#define EXIT_PANIC  0x12            /* docs/decisions/0002-exit-status.md */

    .section .multiboot, "a"
    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long PHYS(mb1_header)          /* header_addr */
    .long PHYS(__image_start)       /* load_addr */
    .long PHYS(__load_end)          /* load_end_addr */
    .long PHYS(__bss_end)           /* bss_end_addr */
    .long PHYS(_start32)            /* entry_addr */

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                         /* architecture: i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + (mb2_header_end - mb2_header))
    /* address tag */
    .align 8
    .short 2, 0
    .long 24
    .long PHYS(mb2_header)
    .long PHYS(__image_start)
    .long PHYS(__load_end)
    .long PHYS(__bss_end)
    /* entry address tag */
    .align 8
    .short 3, 0
    .long 12
    .long PHYS(_start32)
    /* No framebuffer tag: with one, GRUB switches BIOS machines to a graphics mode and the
     * VGA text console is lost. On UEFI GRUB still reports the GOP framebuffer when it set
     * one up (grub.cfg loads efi_gop). */
    /* module alignment tag: modules page-aligned, as the domain builder wants */
    .align 8
    .short 6, 0
    .long 8
    /* end tag */
    .align 8
    .short 0, 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    mov %eax, %edi                  /* loader magic: kmain's first argument */
    mov %ebx, %esi                  /* info block physical address: kmain's second */
    mov $PHYS(boot_stack_top), %esp

    /* Long mode and NX are required; say so on COM1 and exit rather than triple fault. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode
    mov %edx, %ebp                  /* keep the NX bit (20) for EFER below */

    /* Early page tables (zeroed .bss, loaders zero bss): the first 1 GiB of RAM mapped twice,
     * identity (so this code keeps running) and at KERNEL_VMA_BASE (where the kernel is linked). */
    mov $PHYS(boot_pd), %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax                  /* present | writable | 2 MiB page */
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b

    mov $PHYS(boot_pd), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pdpt_low)
    mov %eax, PHYS(boot_pdpt_high) + KERNEL_PDPT_SLOT * 8
    mov $PHYS(boot_pdpt_low), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pml4)
    mov $PHYS(boot_pdpt_high), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pml4) + KERNEL_PML4_SLOT * 8

    mov %cr4, %eax
    or $(1 << 5), %eax              /* PAE */
    mov %eax, %cr4
    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3

    mov $0xC0000080, %ecx           /* EFER */
    rdmsr
    or $(1 << 8), %eax              /* LME */
    test $(1 << 20), %ebp
    jz 2f
    or $(1 << 11), %eax             /* NXE, when the CPU has NX */
2:  wrmsr

    mov %cr0, %eax
    or $0x80010001, %eax            /* PG | WP | PE */
    mov %eax, %cr0

    lgdt PHYS(boot_gdt_ptr)
    ljmp $0x08, $PHYS(start64_low)

no_long_mode:
    mov $PHYS(msg_no_long_mode), %esi
3:  lodsb
    test %al, %al
    jz 4f
    mov %al, %bl
    mov $(COM1 + 5), %dx
5:  inb %dx, %al
    test $0x20, %al
    jz 5b
    mov %bl, %al
    mov $COM1, %dx
    outb %al, %dx
    jmp 3b
4:  mov $EXIT_PANIC, %eax
    mov $DEBUG_EXIT, %dx
    outl %eax, %dx
6:  hlt
    jmp 6b

    .code64
start64_low:
    movabs $start64_high, %rax
    jmp *%rax

    .section .rodata
msg_no_long_mode:
    .asciz "bulkhead: this CPU has no long mode; cannot boot\r\n"

    .align 16
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF        /* 0x08: 64-bit code, ring 0 */
    .quad 0x00CF92000000FFFF        /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)

    .text
start64_high:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    /* edi = magic, esi = info (zero-extended by the 32-bit moves above) */
    call kmain
7:  cli
    hlt
    jmp 7b

    .section .bss.pagetables, "aw", @nobits
    .align 4096
    .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096

    .section .bss, "aw", @nobits
    .align 16
    .globl boot_stack_top
boot_stack:     .skip 65536
boot_stack_top:

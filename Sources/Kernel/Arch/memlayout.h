/*
 * Bulkhead kernel memory map (x86-64, 4-level paging, 48-bit virtual addresses).
 *
 *   0x0000_0000_0000_0000 .. 0x0000_7F7F_FFFF_FFFF   guest space
 *   0x0000_7F80_0000_0000 .. 0x0000_7FFF_FFFF_FFFF   Bulkhead image + heap (PML4 slot 255)
 *       0x0000_7F80_0010_0000                          kernel image, physical 1 MiB
 *   0xFFFF_8000_0000_0000 .. 0xFFFF_87FF_FFFF_FFFF   hypervisor hole, as on Xen (slots 256..271):
 *       0xFFFF_8300_0000_0000                          direct map of all RAM + low 4 GiB MMIO (slot 262)
 *   0xFFFF_8800_0000_0000 .. 0xFFFF_FFFF_FFFF_FFFF   guest space (guest kernels)
 *
 * Why the image is not in the upper half: Swift keeps tag bits in the top nibble of object
 * and string pointers (x86-64 spare-bit mask 0xF000_0000_0000_0007). A heap or a string
 * literal at 0xFFFF_... reads back as a "foreign" string and traps. So everything Swift
 * points at (image, heap) lives in slot 255, built with -mcmodel=large; raw memory (page
 * tables, guest frames) is reached through the direct map with Unsafe pointers, which
 * carry no tag bits. See docs/decisions/0003-higher-half.md.
 *
 * Physical: the image is loaded at 1 MiB. Boot code runs there in 32-bit mode, so every
 * address it uses is (symbol - KERNEL_VMA_BASE).
 */
#ifndef BULKHEAD_MEMLAYOUT_H
#define BULKHEAD_MEMLAYOUT_H

#define KERNEL_VMA_BASE   0x00007F8000000000
#define KERNEL_PML4_SLOT  255
#define KERNEL_PDPT_SLOT  0
#define KERNEL_PHYS_BASE  0x100000
#define DIRECT_MAP_BASE   0xFFFF830000000000
#define PAGE_SIZE         4096

#endif

/*
 * Bulkhead kernel memory map (x86-64, 4-level paging, 48-bit virtual addresses).
 *
 *   0x0000_0000_0000_0000 .. 0x0000_7FFF_FFFF_FFFF   guest space (PV guests own the lower half)
 *   0xFFFF_8000_0000_0000 .. 0xFFFF_87FF_FFFF_FFFF   hypervisor hole (PML4 slots 256..271), as on Xen:
 *       0xFFFF_8300_0000_0000                          direct map of all RAM + low 4 GiB MMIO (slot 262)
 *   0xFFFF_8800_0000_0000 .. 0xFFFF_FFFF_7FFF_FFFF   guest space (upper half, guest kernels)
 *   0xFFFF_FFFF_8000_0000 .. 0xFFFF_FFFF_FFFF_FFFF   kernel image, -mcmodel=kernel (PML4 slot 511, PDPT 510)
 *
 * Why the image sits at -2 GiB and not inside the Xen hole: Embedded Swift's code model is
 * -mcmodel=kernel, which needs the top 2 GiB. The cost is that guests may not use the top
 * 2 GiB of PML4 slot 511 (see docs/decisions/0003-higher-half.md).
 *
 * Physical: the image is loaded at 1 MiB. Boot code runs there in 32-bit mode, so every
 * address it uses is (symbol - KERNEL_VMA_BASE).
 */
#ifndef BULKHEAD_MEMLAYOUT_H
#define BULKHEAD_MEMLAYOUT_H

#define KERNEL_VMA_BASE   0xFFFFFFFF80000000
#define KERNEL_PHYS_BASE  0x100000
#define DIRECT_MAP_BASE   0xFFFF830000000000
#define PAGE_SIZE         4096

#endif

/*
 * memlayout.h: where a Bulkhead guest lives in its own virtual address space.
 *
 *   0x0000_0000_0000_0000  unmapped (null pointers fault)
 *   0x0000_0000_0040_0000  GUEST_VIRT_BASE: the image (.text, notes, hypercall page,
 *                          .rodata, .data, .bss incl. stack, heap, shared-info window)
 *          ... then what the domain builder adds after the image, in this order:
 *                          initial P->M list (start_info.mfn_list), start_info,
 *                          bootstrap page tables (start_info.pt_base), 1-page boot stack
 *   0x0000_7F80_0000_0000  PML4 slot 255: reserved by Bulkhead, never used by guests
 *   0xFFFF_8000_0000_0000  Xen's hole (PML4 slots 256-271): the hypervisor's
 *
 * Pseudo-physical address = virtual - GUEST_VIRT_BASE for the whole initial mapping
 * (the builder maps pfn 0.. at GUEST_VIRT_BASE). Everything Swift references stays below
 * 2 GiB and in the lower half: Swift keeps tag bits in the top nibble of pointers
 * (docs/decisions/0003-higher-half.md), and -mcmodel=small needs the low 2 GiB.
 */
#ifndef BULKHEAD_GUEST_MEMLAYOUT_H
#define BULKHEAD_GUEST_MEMLAYOUT_H

#define GUEST_VIRT_BASE   0x400000      /* XEN_ELFNOTE_VIRT_BASE and _PADDR_OFFSET */
#define GUEST_STACK_SIZE  0x10000       /* 64 KiB; the builder's boot stack is 1 page */
#define GUEST_PAGE_SIZE   4096

#endif

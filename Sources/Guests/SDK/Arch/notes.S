/*
 * notes.S: the Xen ELF notes that tell a PV domain builder (Xen's, or Bulkhead's) how to
 * load this image. Xen reads them from a PT_NOTE program header (guest.ld makes one).
 * Type numbers are from xen/include/public/elfnote.h.
 *
 * VIRT_BASE == PADDR_OFFSET and p_paddr == p_vaddr, so "load each PT_LOAD at p_vaddr"
 * and "pfn 0 is mapped at VIRT_BASE" both hold.
 */
#include "include/memlayout.h"

#define ELFNOTE(type, desc)             \
    .pushsection .note.Xen, "a", @note; \
    .balign 4;                          \
    .long 2f - 1f;    /* namesz */      \
    .long 4f - 3f;    /* descsz */      \
    .long type;                         \
1:  .asciz "Xen";                       \
2:  .balign 4;                          \
3:  desc;                               \
4:  .balign 4;                          \
    .popsection

ELFNOTE(6,  .asciz "Bulkhead")              /* GUEST_OS */
ELFNOTE(7,  .asciz "0.1")                   /* GUEST_VERSION */
ELFNOTE(5,  .asciz "xen-3.0")               /* XEN_VERSION: the only one Xen accepts */
ELFNOTE(8,  .asciz "generic")               /* LOADER: Xen loads non-Linux only if "generic" */
ELFNOTE(3,  .quad GUEST_VIRT_BASE)          /* VIRT_BASE */
ELFNOTE(4,  .quad GUEST_VIRT_BASE)          /* PADDR_OFFSET */
ELFNOTE(1,  .quad _start)                   /* ENTRY */
ELFNOTE(2,  .quad hypercall_page)           /* HYPERCALL_PAGE: Xen fills it at build time */
ELFNOTE(10, .asciz "dom0")                  /* FEATURES: may run as dom0; requires nothing */

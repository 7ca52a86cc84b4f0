/*
 * xen_abi.h: the Xen x86-64 PV ABI structures a Bulkhead guest uses, written out with
 * fixed-width types so Swift imports them with Xen's exact layout. Offsets are checked
 * against Xen's own public headers by abi_check.c (GuestBuild runs it when libxen-dev is
 * installed). Names follow Xen's, prefixed xen_.
 */
#ifndef BULKHEAD_GUEST_XEN_ABI_H
#define BULKHEAD_GUEST_XEN_ABI_H
#include <stdint.h>

/* ---- start_info (xen.h): filled by the domain builder, rsi at _start ---- */
struct xen_start_info {
  char magic[32];             /*    0 "xen-3.0-x86_64" */
  uint64_t nr_pages;          /*   32 pages allocated to this domain */
  uint64_t shared_info;       /*   40 MACHINE address of shared_info */
  uint32_t flags;             /*   48 SIF_* */
  uint64_t store_mfn;         /*   56 xenstore ring (domU) */
  uint32_t store_evtchn;      /*   64 */
  union {
    struct { uint64_t mfn; uint32_t evtchn; } domU;           /* console ring + event channel */
    struct { uint32_t info_off; uint32_t info_size; } dom0;   /* VGA console info */
  } console;                  /*   72 */
  uint64_t pt_base;           /*   88 VIRTUAL address of the top-level page table */
  uint64_t nr_pt_frames;      /*   96 bootstrap page-table frames */
  uint64_t mfn_list;          /*  104 VIRTUAL address of the P->M list (pfn -> mfn) */
  uint64_t mod_start;         /*  112 initrd */
  uint64_t mod_len;           /*  120 */
  int8_t cmd_line[1024];      /*  128 NUL-terminated */
  uint64_t first_p2m_pfn;     /* 1152 */
  uint64_t nr_p2m_frames;     /* 1160 */
};
#define XEN_SIF_PRIVILEGED  (1u << 0)
#define XEN_SIF_INITDOMAIN  (1u << 1)

/* ---- shared_info (xen.h, arch-x86/xen-x86_64.h, arch-x86/xen.h) ---- */
struct xen_vcpu_time_info {
  uint32_t version;           /* odd while Xen updates the record */
  uint32_t pad0;
  uint64_t tsc_timestamp;
  uint64_t system_time;       /* ns since boot at tsc_timestamp */
  uint32_t tsc_to_system_mul;
  int8_t tsc_shift;
  uint8_t flags;
  uint8_t pad1[2];
};

struct xen_vcpu_info {
  uint8_t evtchn_upcall_pending;
  uint8_t evtchn_upcall_mask;
  uint64_t evtchn_pending_sel;          /* 8: one bit per word of evtchn_pending */
  uint64_t arch_cr2;                    /* 16 */
  uint64_t arch_pad;
  struct xen_vcpu_time_info time;       /* 32 */
};                                      /* 64 bytes */

struct xen_shared_info {
  struct xen_vcpu_info vcpu_info[32];   /*    0 */
  uint64_t evtchn_pending[64];          /* 2048: 4096 event-channel bits */
  uint64_t evtchn_mask[64];             /* 2560 */
  uint32_t wc_version;                  /* 3072 wall clock at system time 0 */
  uint32_t wc_sec;
  uint32_t wc_nsec;
  uint32_t wc_sec_hi;
  uint64_t arch_max_pfn;                /* 3088 */
  uint64_t arch_pfn_to_mfn_frame_list_list;
  uint64_t arch_nmi_reason;
  uint64_t arch_p2m_cr3;
  uint64_t arch_p2m_vaddr;
  uint64_t arch_p2m_generation;
};

/* ---- mmu_update / mmuext_op / update_va_mapping (xen.h) ---- */
struct xen_mmu_update { uint64_t ptr; uint64_t val; };   /* ptr: MACHINE addr | MMU_* cmd */
#define XEN_MMU_NORMAL_PT_UPDATE   0
#define XEN_MMU_MACHPHYS_UPDATE    1
#define XEN_DOMID_SELF             0x7FF0u

struct xen_mmuext_op {
  uint32_t cmd;                         /* MMUEXT_* */
  uint32_t pad;
  union { uint64_t mfn; uint64_t linear_addr; } arg1;
  union { uint32_t nr_ents; uint64_t vcpumask; uint64_t src_mfn; } arg2;
};
#define XEN_MMUEXT_PIN_L1_TABLE     0
#define XEN_MMUEXT_PIN_L2_TABLE     1
#define XEN_MMUEXT_PIN_L3_TABLE     2
#define XEN_MMUEXT_PIN_L4_TABLE     3
#define XEN_MMUEXT_UNPIN_TABLE      4
#define XEN_MMUEXT_NEW_BASEPTR      5
#define XEN_MMUEXT_TLB_FLUSH_LOCAL  6
#define XEN_MMUEXT_INVLPG_LOCAL     7
#define XEN_MMU_INVALID_MFN         0xFFFFFFFFFFFFFFFFull   /* M->P entry for frames no domain owns */
#define XEN_UVMF_INVLPG             2   /* update_va_mapping flags: flush this VA locally */

/* ---- traps and callbacks (arch-x86/xen.h) ---- */
struct xen_trap_info {
  uint8_t vector;
  uint8_t flags;                        /* bits 0-1: DPL; bit 2: clear event mask on entry */
  uint16_t cs;
  uint64_t address;
};

/* The exception frame the SDK's trap stubs (traps.S) build on the guest stack: the general
 * registers they push, then Xen's bounce frame with rcx/r11 popped into the registers and a
 * zero error code for vectors without one. Lowest address first. Not a Xen structure. */
struct guest_trap_frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector;
  uint64_t error_code;
  uint64_t rip, cs, rflags, rsp, ss;    /* as the fault left them; HYPERVISOR_iret returns here */
};

/* ---- multicall (xen.h) ---- */
struct xen_multicall_entry { uint64_t op; int64_t result; uint64_t args[6]; };

/* ---- event channels (event_channel.h) ---- */
struct xen_evtchn_alloc_unbound { uint16_t dom; uint16_t remote_dom; uint32_t port; };
struct xen_evtchn_bind_interdomain { uint16_t remote_dom; uint32_t remote_port; uint32_t local_port; };
struct xen_evtchn_bind_virq { uint32_t virq; uint32_t vcpu; uint32_t port; };
struct xen_evtchn_port { uint32_t port; };   /* send, close, unmask */
#define XEN_EVTCHNOP_bind_interdomain 0
#define XEN_EVTCHNOP_bind_virq        1
#define XEN_EVTCHNOP_close            3
#define XEN_EVTCHNOP_send             4
#define XEN_EVTCHNOP_alloc_unbound    6
#define XEN_EVTCHNOP_unmask           9

/* ---- sched_op (sched.h) ---- */
struct xen_sched_shutdown { uint32_t reason; };
struct xen_sched_poll { uint64_t ports; uint32_t nr_ports; uint64_t timeout; };  /* ports: guest VA of uint32_t[] */

/* ---- grant tables v1 (grant_table.h) ---- */
struct xen_grant_entry_v1 { uint16_t flags; uint16_t domid; uint32_t frame; };
struct xen_gnttab_setup_table { uint16_t dom; uint32_t nr_frames; int16_t status; uint64_t frame_list; };
struct xen_gnttab_query_size { uint16_t dom; uint32_t nr_frames; uint32_t max_nr_frames; int16_t status; };
#define XEN_GNTTABOP_setup_table  2
#define XEN_GNTTABOP_query_size   6
#define XEN_GTF_permit_access     1u
#define XEN_GTF_readonly          (1u << 2)
#define XEN_GTF_reading           (1u << 3)
#define XEN_GTF_writing           (1u << 4)
struct xen_gnttab_map_grant_ref {
  uint64_t host_addr;                   /* in: VA to map at (GNTMAP_host_map) */
  uint32_t flags;                       /* in: GNTMAP_* */
  uint32_t ref;                         /* in: the granter's entry */
  uint16_t dom;                         /* in: the granter */
  int16_t status;                       /* out: GNTST_* */
  uint32_t handle;                      /* out: for unmap */
  uint64_t dev_bus_addr;                /* out: the frame's machine address */
};
struct xen_gnttab_unmap_grant_ref { uint64_t host_addr; uint64_t dev_bus_addr; uint32_t handle; int16_t status; };
struct xen_gnttab_copy_ptr { uint64_t u; uint16_t domid; uint16_t offset; };  /* u: ref or gmfn */
struct xen_gnttab_copy {
  struct xen_gnttab_copy_ptr source;
  struct xen_gnttab_copy_ptr dest;
  uint16_t len;
  uint16_t flags;                       /* GNTCOPY_source_gref, GNTCOPY_dest_gref */
  int16_t status;
};
#define XEN_GNTTABOP_map_grant_ref    0
#define XEN_GNTTABOP_unmap_grant_ref  1
#define XEN_GNTTABOP_copy             5
#define XEN_GNTMAP_host_map           (1u << 1)
#define XEN_GNTMAP_readonly           (1u << 2)
#define XEN_GNTCOPY_source_gref       (1u << 0)
#define XEN_GNTCOPY_dest_gref         (1u << 1)

/* ---- memory_op (memory.h) ---- */
struct xen_mem_reservation {
  uint64_t extent_start;                /* guest VA of xen_pfn_t[] */
  uint64_t nr_extents;
  uint32_t extent_order;
  uint32_t mem_flags;
  uint16_t domid;
};
#define XEN_XENMEM_increase_reservation 0
#define XEN_XENMEM_decrease_reservation 1
#define XEN_XENMEM_maximum_ram_page     2
#define XEN_XENMEM_current_reservation  3
#define XEN_XENMEM_maximum_reservation  4
#define XEN_XENMEM_populate_physmap     6

/* ---- vcpu_op (vcpu.h) ---- */
struct xen_vcpu_set_singleshot_timer { uint64_t timeout_abs_ns; uint32_t flags; };
#define XEN_VCPUOP_is_up                   3
#define XEN_VCPUOP_set_singleshot_timer    8
#define XEN_VCPUOP_stop_singleshot_timer   9
#define XEN_VCPUOP_stop_periodic_timer     7

#endif

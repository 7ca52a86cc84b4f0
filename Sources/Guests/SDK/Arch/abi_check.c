/*
 * abi_check.c: compile-time proof that xen_abi.h has Xen's layout. Never linked; GuestBuild
 * compiles it with -fsyntax-only when Xen's public headers (libxen-dev) are installed.
 * Each assert names a field; a failure means xen_abi.h drifted from the Xen ABI.
 */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include "include/xen_abi.h"

#define SAME_SIZE(mine, xens) _Static_assert(sizeof(struct mine) == sizeof(xens), #mine " size")
#define SAME_FIELD(mine, xens, f, g) \
  _Static_assert(offsetof(struct mine, f) == offsetof(xens, g), #mine "." #f " offset")

SAME_SIZE(xen_start_info, struct start_info);
SAME_FIELD(xen_start_info, struct start_info, nr_pages, nr_pages);
SAME_FIELD(xen_start_info, struct start_info, shared_info, shared_info);
SAME_FIELD(xen_start_info, struct start_info, flags, flags);
SAME_FIELD(xen_start_info, struct start_info, store_mfn, store_mfn);
SAME_FIELD(xen_start_info, struct start_info, store_evtchn, store_evtchn);
SAME_FIELD(xen_start_info, struct start_info, console.domU.evtchn, console.domU.evtchn);
SAME_FIELD(xen_start_info, struct start_info, pt_base, pt_base);
SAME_FIELD(xen_start_info, struct start_info, nr_pt_frames, nr_pt_frames);
SAME_FIELD(xen_start_info, struct start_info, mfn_list, mfn_list);
SAME_FIELD(xen_start_info, struct start_info, cmd_line, cmd_line);
SAME_FIELD(xen_start_info, struct start_info, first_p2m_pfn, first_p2m_pfn);
_Static_assert(XEN_SIF_INITDOMAIN == SIF_INITDOMAIN, "SIF_INITDOMAIN");

SAME_SIZE(xen_vcpu_time_info, struct vcpu_time_info);
SAME_FIELD(xen_vcpu_time_info, struct vcpu_time_info, tsc_to_system_mul, tsc_to_system_mul);
SAME_FIELD(xen_vcpu_time_info, struct vcpu_time_info, tsc_shift, tsc_shift);
SAME_SIZE(xen_vcpu_info, struct vcpu_info);
SAME_FIELD(xen_vcpu_info, struct vcpu_info, evtchn_upcall_mask, evtchn_upcall_mask);
SAME_FIELD(xen_vcpu_info, struct vcpu_info, evtchn_pending_sel, evtchn_pending_sel);
SAME_FIELD(xen_vcpu_info, struct vcpu_info, arch_cr2, arch.cr2);
SAME_FIELD(xen_vcpu_info, struct vcpu_info, time, time);
SAME_SIZE(xen_shared_info, struct shared_info);
SAME_FIELD(xen_shared_info, struct shared_info, evtchn_pending, evtchn_pending);
SAME_FIELD(xen_shared_info, struct shared_info, evtchn_mask, evtchn_mask);
SAME_FIELD(xen_shared_info, struct shared_info, wc_version, wc_version);
SAME_FIELD(xen_shared_info, struct shared_info, wc_sec_hi, wc_sec_hi);
SAME_FIELD(xen_shared_info, struct shared_info, arch_max_pfn, arch.max_pfn);
SAME_FIELD(xen_shared_info, struct shared_info, arch_p2m_generation, arch.p2m_generation);

SAME_SIZE(xen_mmu_update, struct mmu_update);
SAME_SIZE(xen_mmuext_op, struct mmuext_op);
SAME_FIELD(xen_mmuext_op, struct mmuext_op, arg1, arg1);
SAME_FIELD(xen_mmuext_op, struct mmuext_op, arg2, arg2);
_Static_assert(XEN_MMUEXT_NEW_BASEPTR == MMUEXT_NEW_BASEPTR, "MMUEXT_NEW_BASEPTR");
_Static_assert(XEN_MMUEXT_INVLPG_LOCAL == MMUEXT_INVLPG_LOCAL, "MMUEXT_INVLPG_LOCAL");
_Static_assert(XEN_UVMF_INVLPG == UVMF_INVLPG, "UVMF_INVLPG");
_Static_assert(XEN_DOMID_SELF == DOMID_SELF, "DOMID_SELF");

SAME_SIZE(xen_trap_info, struct trap_info);
SAME_FIELD(xen_trap_info, struct trap_info, address, address);
SAME_SIZE(xen_multicall_entry, struct multicall_entry);
SAME_FIELD(xen_multicall_entry, struct multicall_entry, args, args);

SAME_SIZE(xen_evtchn_alloc_unbound, struct evtchn_alloc_unbound);
SAME_FIELD(xen_evtchn_alloc_unbound, struct evtchn_alloc_unbound, port, port);
SAME_SIZE(xen_evtchn_bind_interdomain, struct evtchn_bind_interdomain);
SAME_FIELD(xen_evtchn_bind_interdomain, struct evtchn_bind_interdomain, local_port, local_port);
SAME_SIZE(xen_evtchn_bind_virq, struct evtchn_bind_virq);
_Static_assert(XEN_EVTCHNOP_alloc_unbound == EVTCHNOP_alloc_unbound, "EVTCHNOP_alloc_unbound");
_Static_assert(XEN_EVTCHNOP_bind_interdomain == EVTCHNOP_bind_interdomain, "EVTCHNOP_bind_interdomain");
_Static_assert(XEN_EVTCHNOP_bind_virq == EVTCHNOP_bind_virq, "EVTCHNOP_bind_virq");
_Static_assert(XEN_EVTCHNOP_send == EVTCHNOP_send, "EVTCHNOP_send");
_Static_assert(XEN_EVTCHNOP_unmask == EVTCHNOP_unmask, "EVTCHNOP_unmask");
_Static_assert(XEN_EVTCHNOP_close == EVTCHNOP_close, "EVTCHNOP_close");

SAME_SIZE(xen_sched_shutdown, struct sched_shutdown);
SAME_SIZE(xen_sched_poll, struct sched_poll);
SAME_FIELD(xen_sched_poll, struct sched_poll, timeout, timeout);

SAME_SIZE(xen_grant_entry_v1, struct grant_entry_v1);
SAME_SIZE(xen_gnttab_setup_table, struct gnttab_setup_table);
SAME_FIELD(xen_gnttab_setup_table, struct gnttab_setup_table, frame_list, frame_list);
SAME_SIZE(xen_gnttab_query_size, struct gnttab_query_size);
_Static_assert(XEN_GNTTABOP_setup_table == GNTTABOP_setup_table, "GNTTABOP_setup_table");
_Static_assert(XEN_GNTTABOP_query_size == GNTTABOP_query_size, "GNTTABOP_query_size");
_Static_assert(XEN_GTF_permit_access == GTF_permit_access, "GTF_permit_access");
_Static_assert(XEN_GTF_readonly == GTF_readonly, "GTF_readonly");
_Static_assert(XEN_GTF_reading == GTF_reading, "GTF_reading");
_Static_assert(XEN_GTF_writing == GTF_writing, "GTF_writing");
SAME_SIZE(xen_gnttab_map_grant_ref, struct gnttab_map_grant_ref);
SAME_FIELD(xen_gnttab_map_grant_ref, struct gnttab_map_grant_ref, status, status);
SAME_FIELD(xen_gnttab_map_grant_ref, struct gnttab_map_grant_ref, handle, handle);
SAME_FIELD(xen_gnttab_map_grant_ref, struct gnttab_map_grant_ref, dev_bus_addr, dev_bus_addr);
SAME_SIZE(xen_gnttab_unmap_grant_ref, struct gnttab_unmap_grant_ref);
SAME_FIELD(xen_gnttab_unmap_grant_ref, struct gnttab_unmap_grant_ref, handle, handle);
SAME_FIELD(xen_gnttab_unmap_grant_ref, struct gnttab_unmap_grant_ref, status, status);
SAME_SIZE(xen_gnttab_copy, struct gnttab_copy);
SAME_FIELD(xen_gnttab_copy, struct gnttab_copy, dest, dest);
SAME_FIELD(xen_gnttab_copy, struct gnttab_copy, len, len);
SAME_FIELD(xen_gnttab_copy, struct gnttab_copy, status, status);
_Static_assert(XEN_GNTTABOP_map_grant_ref == GNTTABOP_map_grant_ref, "GNTTABOP_map_grant_ref");
_Static_assert(XEN_GNTTABOP_unmap_grant_ref == GNTTABOP_unmap_grant_ref, "GNTTABOP_unmap_grant_ref");
_Static_assert(XEN_GNTTABOP_copy == GNTTABOP_copy, "GNTTABOP_copy");
_Static_assert(XEN_GNTMAP_host_map == GNTMAP_host_map, "GNTMAP_host_map");
_Static_assert(XEN_GNTMAP_readonly == GNTMAP_readonly, "GNTMAP_readonly");
_Static_assert(XEN_GNTCOPY_dest_gref == GNTCOPY_dest_gref, "GNTCOPY_dest_gref");

SAME_SIZE(xen_mem_reservation, struct xen_memory_reservation);
SAME_FIELD(xen_mem_reservation, struct xen_memory_reservation, domid, domid);
_Static_assert(XEN_XENMEM_current_reservation == XENMEM_current_reservation, "XENMEM_current_reservation");
_Static_assert(XEN_XENMEM_maximum_ram_page == XENMEM_maximum_ram_page, "XENMEM_maximum_ram_page");
_Static_assert(XEN_XENMEM_populate_physmap == XENMEM_populate_physmap, "XENMEM_populate_physmap");

SAME_SIZE(xen_vcpu_set_singleshot_timer, struct vcpu_set_singleshot_timer);
_Static_assert(XEN_VCPUOP_set_singleshot_timer == VCPUOP_set_singleshot_timer, "VCPUOP_set_singleshot_timer");
_Static_assert(XEN_VCPUOP_stop_periodic_timer == VCPUOP_stop_periodic_timer, "VCPUOP_stop_periodic_timer");

import KernelArch

/// CPUID feature bits the hypervisor cares about (Intel SDM vol. 2, AMD APM vol. 3).
struct CPUFeatures {
  var longMode = false, nx = false, pcid = false, smep = false, smap = false
  var svm = false, npt = false, vmx = false, ept = false
  /// CPUID.1:ECX[31]: running under a hypervisor or emulator (clocks may not agree).
  var underHypervisor = false
  var vendor: [UInt8] = []

  static func read() -> CPUFeatures {
    var f = CPUFeatures()
    let v = arch_cpuid(0, 0)
    for reg in [v.ebx, v.edx, v.ecx] {
      for i in 0..<4 { f.vendor.append(UInt8(truncatingIfNeeded: reg >> UInt32(8 * i))) }
    }
    let l1 = arch_cpuid(1, 0)
    f.pcid = l1.ecx & (1 << 17) != 0
    f.vmx = l1.ecx & (1 << 5) != 0
    f.underHypervisor = l1.ecx & (1 << 31) != 0
    if v.eax >= 7 {
      let l7 = arch_cpuid(7, 0)
      f.smep = l7.ebx & (1 << 7) != 0
      f.smap = l7.ebx & (1 << 20) != 0
    }
    let maxExt = arch_cpuid(0x8000_0000, 0).eax
    if maxExt >= 0x8000_0001 {
      let e1 = arch_cpuid(0x8000_0001, 0)
      f.nx = e1.edx & (1 << 20) != 0
      f.longMode = e1.edx & (1 << 29) != 0
      f.svm = e1.ecx & (1 << 2) != 0
    }
    if f.svm && maxExt >= 0x8000_000A { f.npt = arch_cpuid(0x8000_000A, 0).edx & 1 != 0 }
    if f.vmx {
      // IA32_VMX_PROCBASED_CTLS (0x482) bit 63: secondary controls; CTLS2 (0x48B) bit 33: EPT.
      f.ept = arch_rdmsr(0x482) & (1 << 63) != 0 && arch_rdmsr(0x48B) & (1 << 33) != 0
    }
    return f
  }
}

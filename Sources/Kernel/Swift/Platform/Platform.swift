import KernelArch

/// What the kernel learns about the machine at boot beyond the memory map: ACPI tables,
/// CPU features, and a second console (VGA text on BIOS boots, the framebuffer on UEFI).
enum Platform {
  nonisolated(unsafe) static var acpi: ACPIInfo? = nil
  nonisolated(unsafe) static var acpiError: ACPIError? = nil
  nonisolated(unsafe) static var features = CPUFeatures()
  nonisolated(unsafe) static var framebuffer: Framebuffer? = nil

  static func initialize(_ boot: BootInfo) {
    features = CPUFeatures.read()
    framebuffer = boot.framebuffer
    // Text mode unless the loader set up a graphics framebuffer (type 2 is EGA text).
    if !boot.uefi && (framebuffer == nil || framebuffer?.type == 2) {
      console_vga_enable(KernelMemory.virtual(0xB8000))
    }
    if let fb = framebuffer, fb.type == 1 {
      if let font = boot.modules.first(where: { isFontModule($0) }), FramebufferConsole.enable(framebuffer: fb, fontModule: font) {
        Log.info("console: framebuffer \(fb.width)x\(fb.height)x\(fb.bitsPerPixel) at \(hex(fb.address)), \(FramebufferConsole.columns)x\(FramebufferConsole.rows) text")
      } else {
        Log.info("console: framebuffer \(fb.width)x\(fb.height)x\(fb.bitsPerPixel) at \(hex(fb.address)) (no font module: verdict colour only)")
      }
    }
    let reader = KernelPhysicalReader()
    guard let rsdp = boot.acpiRSDP ?? ACPI.findRSDP(reader: reader) else {
      acpiError = .noRSDP
      Log.warn("acpi: no RSDP found")
      return
    }
    do throws(ACPIError) {
      let info = try ACPI.parse(rsdp: rsdp, reader: reader)
      acpi = info
      var names = ""
      for t in info.tables { names += String(decoding: t, as: UTF8.self) + " " }
      let enabled = info.cpus.filter { $0.enabled }.count
      Log.info("acpi: rev \(info.revision), tables \(names)| \(enabled) CPUs, \(info.ioapics.count) IOAPIC, HPET \(info.hpetAddress.map { hex($0) } ?? "none")")
    } catch {
      acpiError = error
      Log.warn("acpi: tables refused")
    }
  }

  /// A boot module that is a console font (a GRUB .pf2 file), not a domain.
  static func isFontModule(_ m: BootModule) -> Bool {
    let path = m.string.split(separator: 0x20).first.map(Array.init) ?? []
    return path.count >= 4 && Array(path.suffix(4)) == Array(".pf2".utf8)
  }

  /// Fills the framebuffer with one colour (32 bpp only): the UEFI self-test's visible verdict,
  /// since the framebuffer console has no font yet.
  static func paint(red: UInt8, green: UInt8, blue: UInt8) {
    if FramebufferConsole.font != nil {
      // A text console is on: a coloured bar at the top instead of covering the results.
      let pixel = UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue)
      FramebufferConsole.fill(x: 0, y: 0, width: Int(framebuffer!.width), height: 8, pixel)
      return
    }
    guard let fb = framebuffer, fb.type == 1, fb.bitsPerPixel == 32,
      KernelMemory.isMapped(fb.address, length: UInt64(fb.pitch) * UInt64(fb.height))
    else { return }
    let pixel = UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue)
    for y in 0..<UInt64(fb.height) {
      let row = KernelMemory.virtual(fb.address + y * UInt64(fb.pitch))
      for x in 0..<UInt64(fb.width) { arch_mmio_write32(row + x * 4, pixel) }
    }
  }
}

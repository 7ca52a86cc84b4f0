import KernelArch

/// A text console on a 32-bpp linear framebuffer (UEFI machines, where there is no VGA text
/// mode), drawn with GRUB's PFF2 font passed as a boot module. It wraps to the top instead of
/// scrolling: moving megabytes per line is slow, and the newest line is always marked.
enum FramebufferConsole {
  nonisolated(unsafe) static var font: PF2Font? = nil
  nonisolated(unsafe) static var fb: Framebuffer? = nil
  nonisolated(unsafe) static var column = 0, row = 0, columns = 0, rows = 0, cellWidth = 8, cellHeight = 16
  static let foreground: UInt32 = 0x00C0_C0C0
  static let background: UInt32 = 0

  /// Turns the console on if the framebuffer is usable and a font module is present.
  static func enable(framebuffer: Framebuffer, fontModule: BootModule) -> Bool {
    guard framebuffer.type == 1, framebuffer.bitsPerPixel == 32,
      KernelMemory.isMapped(framebuffer.address, length: UInt64(framebuffer.pitch) * UInt64(framebuffer.height))
    else { return false }
    let reader = KernelPhysicalReader()
    guard let f = try? PF2Font.parse(reader: reader, base: fontModule.start, length: fontModule.end - fontModule.start)
    else { return false }
    font = f
    fb = framebuffer
    cellWidth = f.glyph(UInt32(UInt8(ascii: "M")), reader: reader).map { max($0.advance, $0.width) } ?? 8
    cellHeight = f.maxHeight
    columns = Int(framebuffer.width) / max(cellWidth, 1)
    rows = Int(framebuffer.height) / max(cellHeight, 1)
    guard columns > 0, rows > 0 else { return false }
    clearRow(0)
    console_framebuffer_enable()
    return true
  }

  static func fill(x: Int, y: Int, width: Int, height: Int, _ color: UInt32) {
    guard let fb else { return }
    for yy in y..<(y + height) {
      let line = KernelMemory.virtual(fb.address + UInt64(yy) * UInt64(fb.pitch))
      for xx in x..<(x + width) { arch_mmio_write32(line + UInt64(xx) * 4, color) }
    }
  }

  static func clearRow(_ r: Int) {
    guard let fb else { return }
    fill(x: 0, y: r * cellHeight, width: Int(fb.width), height: cellHeight, background)
  }

  static func draw(_ c: UInt8) {
    guard let font, let fb else { return }
    let reader = KernelPhysicalReader()
    let x0 = column * cellWidth, y0 = row * cellHeight
    fill(x: x0, y: y0, width: cellWidth, height: cellHeight, background)
    guard let g = font.glyph(UInt32(c), reader: reader) else { return }
    let top = y0 + font.ascent - g.height - g.yOffset
    for y in 0..<g.height {
      let py = top + y
      guard py >= y0, py < y0 + cellHeight, py < Int(fb.height) else { continue }
      let line = KernelMemory.virtual(fb.address + UInt64(py) * UInt64(fb.pitch))
      for x in 0..<g.width where font.pixel(g, x: x, y: y, reader: reader) {
        let px = x0 + g.xOffset + x
        if px >= x0 && px < x0 + cellWidth { arch_mmio_write32(line + UInt64(px) * 4, foreground) }
      }
    }
  }

  static func put(_ c: UInt8) {
    switch c {
    case 10: newline()
    case 13: column = 0
    default:
      draw(c >= 0x20 && c < 0x7F ? c : UInt8(ascii: "?"))
      column += 1
      if column == columns { newline() }
    }
  }

  static func newline() {
    column = 0
    row = (row + 1) % rows
    clearRow(row)
  }
}

/// Called by the C console (runtime.c putchar) for every byte once the console is enabled.
@_cdecl("bulkhead_console_mirror")
func bulkheadConsoleMirror(_ c: Int32) {
  FramebufferConsole.put(UInt8(truncatingIfNeeded: c))
}

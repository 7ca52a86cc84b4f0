/// What the boot loader told us, in one loader-independent shape.
public struct BootInfo: Sendable {
  /// Which protocol delivered it.
  public enum LoaderProtocol: Sendable, Equatable { case multiboot1, multiboot2 }

  public var bootProtocol: LoaderProtocol
  /// The firmware's memory map, as given (not yet sanitised).
  public var memoryMap: [MemoryRegion]
  /// Boot modules (guest images, configuration), in loader order.
  public var modules: [BootModule]
  /// The kernel command line, raw bytes without the NUL.
  public var commandLine: [UInt8]
  /// Physical address and length of the info block itself, so it can be kept out of the allocator.
  public var infoStart: UInt64
  public var infoLength: UInt64
  /// Physical address of the ACPI RSDP copy inside the info block (Multiboot2 tags 14/15).
  public var acpiRSDP: UInt64?
  /// The framebuffer, when the loader set one up (Multiboot2 tag 8).
  public var framebuffer: Framebuffer?
  /// True when started by UEFI firmware (Multiboot2 EFI system-table tags 11/12): there is no
  /// VGA text buffer to write to.
  public var uefi: Bool = false

  public init(bootProtocol: LoaderProtocol) {
    self.bootProtocol = bootProtocol
    memoryMap = []
    modules = []
    commandLine = []
    infoStart = 0
    infoLength = 0
    acpiRSDP = nil
    framebuffer = nil
  }

  /// True if the command line holds `word` as a whole space-separated word, or as
  /// `word=...`.
  public func hasOption(_ word: StaticString) -> Bool { optionValue(word) != nil }

  /// The value of `word=value` on the command line; an empty array for a bare `word`;
  /// nil when absent.
  public func optionValue(_ word: StaticString) -> [UInt8]? {
    let key = Array(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    var i = 0
    let line = commandLine
    while i < line.count {
      while i < line.count && line[i] == 0x20 { i += 1 }
      var j = i
      while j < line.count && line[j] != 0x20 { j += 1 }
      let token = line[i..<j]
      if token.count >= key.count && token.prefix(key.count).elementsEqual(key) {
        if token.count == key.count { return [] }
        if token[token.startIndex + key.count] == UInt8(ascii: "=") {
          return Array(token[(token.startIndex + key.count + 1)...])
        }
      }
      i = j
    }
    return nil
  }
}

/// One range of the firmware memory map.
public struct MemoryRegion: Equatable, Sendable {
  /// The firmware's classification (Multiboot and E820 share these numbers).
  public enum Kind: UInt32, Sendable {
    case available = 1, reserved = 2, acpiReclaimable = 3, acpiNVS = 4, bad = 5
  }
  public var start: UInt64
  public var length: UInt64
  public var kind: Kind

  public init(start: UInt64, length: UInt64, kind: Kind) {
    self.start = start
    self.length = length
    self.kind = kind
  }

  /// One past the last byte, saturating at UInt64.max so a corrupt length cannot wrap.
  public var end: UInt64 {
    let (e, o) = start.addingReportingOverflow(length)
    return o ? UInt64.max : e
  }
}

/// A boot module: a guest image or a configuration file.
public struct BootModule: Equatable, Sendable {
  public var start: UInt64
  public var end: UInt64
  /// The module's string (GRUB passes the path and arguments), raw bytes.
  public var string: [UInt8]

  public init(start: UInt64, end: UInt64, string: [UInt8]) {
    self.start = start
    self.end = end
    self.string = string
  }
}

/// A linear framebuffer described by Multiboot2.
public struct Framebuffer: Equatable, Sendable {
  public var address: UInt64
  public var pitch: UInt32
  public var width: UInt32
  public var height: UInt32
  public var bitsPerPixel: UInt8
  /// 0 indexed colour, 1 direct RGB, 2 EGA text.
  public var type: UInt8

  public init(address: UInt64, pitch: UInt32, width: UInt32, height: UInt32, bitsPerPixel: UInt8, type: UInt8) {
    self.address = address
    self.pitch = pitch
    self.width = width
    self.height = height
    self.bitsPerPixel = bitsPerPixel
    self.type = type
  }
}

/// Why a boot-information block was refused. Each case is a different corruption.
public enum BootInfoError: Error, Equatable, Sendable {
  /// The loader's magic number is neither Multiboot1's nor Multiboot2's.
  case unknownMagic(UInt32)
  /// A field points at memory the reader cannot see.
  case unreadable(address: UInt64)
  /// The loader gave no memory map at all.
  case noMemoryMap
  /// A length field is out of range (zero, too large, or not a multiple of the entry size).
  case badLength(field: StaticString, value: UInt64)
  /// A Multiboot2 tag runs past the end of the block or has a size below its header.
  case malformedTag(offset: UInt64)
  /// More entries than the parser accepts (see `BootLimits`).
  case tooManyEntries(field: StaticString)

  public static func == (a: BootInfoError, b: BootInfoError) -> Bool {
    switch (a, b) {
    case let (.unknownMagic(x), .unknownMagic(y)): return x == y
    case let (.unreadable(x), .unreadable(y)): return x == y
    case (.noMemoryMap, .noMemoryMap): return true
    case let (.badLength(f, x), .badLength(g, y)): return f.utf8Start == g.utf8Start && x == y
    case let (.malformedTag(x), .malformedTag(y)): return x == y
    case let (.tooManyEntries(f), .tooManyEntries(g)): return f.utf8Start == g.utf8Start
    default: return false
    }
  }
}

/// Bounds that keep a corrupt info block from making the parser loop or allocate without limit.
public enum BootLimits {
  public static let maxRegions = 512
  public static let maxModules = 64
  public static let maxInfoBytes: UInt64 = 1 << 20
  public static let maxStringBytes = 4096
}
